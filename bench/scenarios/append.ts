/**
 * Append: 1 KB facts over gRPC in batches of 1, 100 and 500 from one client, and single-fact
 * publishes from 8 concurrent clients — beside raw PostgreSQL inserting the same rows into the same
 * table and into a plain table with only the store's indexes (multi-row INSERT and COPY), and
 * Emmett appending the same events, all on one fresh database.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { openEmmett, type Emmett } from "../baselines/emmett";
import { connect, copyRows, createPlainTable, insertRows, type RawTable } from "../baselines/raw-pg";
import { publish } from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import { CLIENT, type BenchContext } from "../context";
import { createBenchDatabase } from "../env/postgres";
import { startStoreProcess } from "../env/store";
import { makeFacts } from "../facts";
import { forDuration, interleaved, type CpuSubjects, type Variant } from "../measure";

const BATCHES = [1, 100, 500];
/** The "8 concurrent clients": 8 connections, each publishing one fact at a time. */
const CONCURRENT_CLIENTS = 8;
/** A short unrecorded run per variant first: JIT, connection set-up and plan caches settle. */
const WARMUP_SECONDS = 0.3;

const SYSTEM = {
  factline: "factline (gRPC)",
  "raw-insert": "raw PostgreSQL INSERT",
  "raw-copy": "raw PostgreSQL COPY",
  "plain-insert": "raw PostgreSQL INSERT, plain table",
  "plain-copy": "raw PostgreSQL COPY, plain table",
  emmett: "Emmett",
} as const;
type SystemKey = keyof typeof SYSTEM;

const SAME_TABLE = "same fact table; its statement triggers fire";
const PLAIN_TABLE = "plain table: the store's columns and indexes, no triggers";
const NOTES: Partial<Record<SystemKey, string>> = {
  "raw-insert": SAME_TABLE,
  "raw-copy": SAME_TABLE,
  "plain-insert": PLAIN_TABLE,
  "plain-copy": PLAIN_TABLE,
};

interface Case {
  id: string;
  name: string;
  system: SystemKey;
  lanes: number;
  client: string;
  subjects: CpuSubjects;
  /** Writes one batch (on lane `lane`) and returns how many facts it wrote. */
  step(lane: number): Promise<number>;
}

export async function appendScenario(ctx: BenchContext): Promise<void> {
  const db = await createBenchDatabase(ctx.postgres.adminUrl, "append");
  const store = await startStoreProcess({ databaseUrl: db.url, cpuProfileDir: ctx.cpuProfileDir });
  const grpc = Array.from({ length: CONCURRENT_CLIENTS }, () => new GrpcConnection(store.url));
  const raw: pg.Client[] = [];
  let emmett: Emmett | undefined;
  try {
    for (let i = 0; i < CONCURRENT_CLIENTS; i++) raw.push(await connect(db.url));
    // The store has migrated the database by now; the plain table copies its indexes.
    await createPlainTable(raw[0], { fill: false });
    emmett = await openEmmett(db.url);
    const cases = buildCases(grpc, raw, emmett, { storePid: store.pid, postmasterPid: ctx.postgres.postmasterPid });
    const seconds = ctx.opts.appendSeconds;
    ctx.log(`append: ${cases.length} variants × ${ctx.opts.reps} reps × ${seconds} s`);
    for (const c of cases) await forDuration(WARMUP_SECONDS, c.lanes, c.step);
    const variants: Variant[] = cases.map((c) => ({
      key: c.id,
      subjects: c.subjects,
      run: () => forDuration(seconds, c.lanes, c.step),
    }));
    const measured = await interleaved(variants, ctx.opts.reps);
    for (const c of cases) {
      const m = measured.get(c.id)!;
      ctx.results.add({
        id: c.id,
        scenario: "Append",
        name: c.name,
        system: SYSTEM[c.system],
        unit: "facts/s",
        higherIsBetter: true,
        samples: m.samples,
        client: c.client,
        cpu: m.cpu,
        note: NOTES[c.system],
      });
    }
  } finally {
    grpc.forEach((g) => g.close());
    await emmett?.close().catch(() => {});
    for (const r of raw) await r.end().catch(() => {});
    await store.stop();
    await db.drop();
  }
}

function buildCases(grpc: GrpcConnection[], raw: pg.Client[], emmett: Emmett, storeSubjects: CpuSubjects): Case[] {
  const dbOnly: CpuSubjects = { postmasterPid: storeSubjects.postmasterPid };
  // Every batch is one aggregate: Emmett appends to exactly one stream per call, the others do not care.
  const batch = (n: number) => makeFacts(n, { ns: "bench", type: "OrderPlaced", aggId: randomUUID() });
  const cases: Case[] = [];
  for (const size of BATCHES) {
    const name = size === 1 ? "batch of 1, 1 client" : `batch of ${size}, 1 client`;
    const id = (s: SystemKey) => `append.b${size}.${s}`;
    cases.push({
      id: id("factline"),
      name,
      system: "factline",
      lanes: 1,
      client: CLIENT.lean(1),
      subjects: storeSubjects,
      step: () => publish(grpc[0], batch(size)).then(() => size),
    });
    for (const table of ["fact", "plain_fact"] as RawTable[]) {
      const plain = table === "plain_fact";
      cases.push({
        id: id(plain ? "plain-insert" : "raw-insert"),
        name,
        system: plain ? "plain-insert" : "raw-insert",
        lanes: 1,
        client: CLIENT.pg(1),
        subjects: dbOnly,
        step: () => insertRows(raw[0], batch(size), table).then(() => size),
      });
      // COPY of a single row is not how anyone writes one row; it is compared from 100 up.
      if (size > 1)
        cases.push({
          id: id(plain ? "plain-copy" : "raw-copy"),
          name,
          system: plain ? "plain-copy" : "raw-copy",
          lanes: 1,
          client: CLIENT.pg(1),
          subjects: dbOnly,
          step: () => copyRows(raw[0], batch(size), table).then(() => size),
        });
    }
    cases.push({
      id: id("emmett"),
      name,
      system: "emmett",
      lanes: 1,
      client: CLIENT.emmett(1),
      subjects: dbOnly,
      step: () => emmett.append(batch(size)).then(() => size),
    });
  }
  const name = `single facts, ${CONCURRENT_CLIENTS} concurrent clients`;
  const lanes = CONCURRENT_CLIENTS;
  cases.push({
    id: "append.c8.factline",
    name,
    system: "factline",
    lanes,
    client: CLIENT.lean(lanes),
    subjects: storeSubjects,
    step: (l) => publish(grpc[l], batch(1)).then(() => 1),
  });
  cases.push({
    id: "append.c8.raw-insert",
    name,
    system: "raw-insert",
    lanes,
    client: CLIENT.pg(lanes),
    subjects: dbOnly,
    step: (l) => insertRows(raw[l], batch(1)).then(() => 1),
  });
  cases.push({
    id: "append.c8.plain-insert",
    name,
    system: "plain-insert",
    lanes,
    client: CLIENT.pg(lanes),
    subjects: dbOnly,
    step: (l) => insertRows(raw[l], batch(1), "plain_fact").then(() => 1),
  });
  cases.push({
    id: "append.c8.emmett",
    name,
    system: "emmett",
    lanes,
    client: CLIENT.emmett(lanes),
    subjects: dbOnly,
    step: () => emmett.append(batch(1)).then(() => 1),
  });
  return cases;
}
