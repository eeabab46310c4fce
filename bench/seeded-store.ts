/**
 * The big store that catch-up, lookups and the console read: `scale` facts over many namespaces,
 * written once per run (COPY straight into the fact table, stamped as the store would stamp them),
 * the same events in Emmett's schema and in a plain table (the catch-up baselines), then a store
 * process on top.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { openEmmett, type Emmett } from "./baselines/emmett";
import { connect, copyLines, copyText, createPlainTable } from "./baselines/raw-pg";
import { createBenchDatabase, type BenchDatabase, type BenchPostgres } from "./env/postgres";
import { startStoreProcess, type StoreProcess } from "./env/store";
import { makeFact, seedShape } from "./facts";

/** Rows per COPY statement: each is one transaction of ~25 MB, so the statement triggers run per chunk. */
const COPY_CHUNK = 20_000;
/** Ids kept for lookups by id: enough for random picks, bounded whatever the scale. */
const SAMPLE_IDS = 1_000;

export interface SeededStore {
  db: BenchDatabase;
  store: StoreProcess;
  emmett?: Emmett;
  scale: number;
  /** Ids of facts spread over the whole log, for lookups by id. */
  sampleIds: string[];
  close(): Promise<void>;
}

export async function seedStore(
  postgres: BenchPostgres,
  scale: number,
  opts: { withEmmett: boolean; withPlainTable: boolean; cpuProfileDir?: string; log: (line: string) => void },
): Promise<SeededStore> {
  const db = await createBenchDatabase(postgres.adminUrl, "seeded");
  const closers: Array<() => Promise<void>> = [() => db.drop()];
  try {
    // A first store start migrates the fresh database; it stops again so the seeding is raw COPY.
    const migrator = await startStoreProcess({ databaseUrl: db.url });
    await migrator.stop();

    const raw = await connect(db.url);
    const emmett = opts.withEmmett ? await openEmmett(db.url) : undefined;
    if (emmett) closers.unshift(() => emmett.close());
    const t0 = performance.now();
    // Index maintenance row by row would dominate a 10M-fact seed: drop the fact table's secondary
    // indexes, load, and build them again from their own definitions (so the schema stays the one
    // the migrations made).
    const indexes = await raw.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE schemaname = 'public' AND tablename = 'fact' AND indexname <> 'fact_pkey'`,
    );
    for (const { name } of indexes.rows) await raw.query(`DROP INDEX ${raw.escapeIdentifier(name)}`);
    const sampleIds = await seedFacts(raw, emmett, scale, opts.log);
    opts.log(`  building ${indexes.rows.length} indexes`);
    await raw.query("SET maintenance_work_mem = '512MB'");
    for (const { def } of indexes.rows) await raw.query(def);
    opts.log(
      `  seeded ${scale.toLocaleString("en")} facts${emmett ? " (and as many Emmett events)" : ""} in ${((performance.now() - t0) / 1000).toFixed(1)} s; vacuuming`,
    );
    // A store that has been running has been autovacuumed and analysed; a fresh COPY has not.
    await raw.query("VACUUM (ANALYZE) fact");
    if (emmett) await raw.query("VACUUM (ANALYZE) emt_messages");
    if (opts.withPlainTable) {
      opts.log("  copying the facts into a plain table (the catch-up baseline)");
      await createPlainTable(raw, { fill: true });
    }
    await raw.end();

    const store = await startStoreProcess({ databaseUrl: db.url, cpuProfileDir: opts.cpuProfileDir });
    closers.unshift(() => store.stop());
    return { db, store, emmett, scale, sampleIds, close: () => closeAll(closers) };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers) await close().catch(() => {});
}

async function seedFacts(
  raw: pg.Client,
  emmett: Emmett | undefined,
  scale: number,
  log: (l: string) => void,
): Promise<string[]> {
  const sampleEvery = Math.max(1, Math.floor(scale / SAMPLE_IDS));
  const sampleIds: string[] = [];
  const ts = Date.now();
  let lastLog = performance.now();
  for (let start = 0; start < scale; start += COPY_CHUNK) {
    const count = Math.min(COPY_CHUNK, scale - start);
    const lines: string[] = [];
    for (let i = start; i < start + count; i++) {
      const fact = makeFact(seedShape(i));
      if (i % sampleEvery === 0) sampleIds.push(fact.id);
      const ser = i + 1;
      // The stamps the store's append adds (meta._ser, meta._ts), so read paths see store-made facts.
      const header = JSON.parse(fact.header) as { meta: Record<string, unknown> };
      header.meta._ser = ser;
      header.meta._ts = ts;
      lines.push(`${ser}\t${copyText(JSON.stringify(header))}\t${copyText(fact.payload)}\n`);
    }
    await copyLines(raw, "COPY fact (ser, header, payload) FROM STDIN", lines);
    if (emmett) await mirrorIntoEmmett(raw, start, start + count);
    if (performance.now() - lastLog > 10_000) {
      log(`  seeding: ${(start + count).toLocaleString("en")} / ${scale.toLocaleString("en")}`);
      lastLog = performance.now();
    }
  }
  await raw.query("SELECT setval('fact_ser_seq', $1)", [scale]);
  if (emmett) await raw.query("SELECT setval('emt_global_message_position', $1)", [scale]);
  return sampleIds.length > 0 ? sampleIds : [randomUUID()];
}

/**
 * The same facts as Emmett events, written row for row as Emmett's appendToStream writes them
 * (checked against rows it wrote itself: one stream "<ns>-<aggId>" per aggregate, type "<ns>.<type>",
 * partition emt:default), but in one INSERT … SELECT per chunk: appending through Emmett's API runs
 * at ~2,000 events/s here and would take most of a quick run for 100,000 events. Only reading is
 * measured on this copy; Emmett's own appends are measured in the append scenario.
 */
async function mirrorIntoEmmett(raw: pg.Client, fromIndex: number, toIndex: number): Promise<void> {
  const stream = "(f.header ->> 'ns') || '-' || (f.header -> 'aggIds' ->> 0)";
  await raw.query(
    `WITH s AS (
       INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
       SELECT ${stream}, 1, 'emt:default', f.header ->> 'ns', '{}', false FROM fact f WHERE f.ser > $1 AND f.ser <= $2
     )
     INSERT INTO emt_messages (stream_position, global_position, transaction_id, partition, message_kind, stream_id,
                               message_schema_version, message_id, message_type, message_data, message_metadata, is_archived)
     SELECT 1, f.ser, pg_current_xact_id(), 'emt:default', 'E', ${stream}, '1', gen_random_uuid()::text,
            (f.header ->> 'ns') || '.' || (f.header ->> 'type'), f.payload::jsonb, jsonb_build_object('factId', f.header ->> 'id'), false
       FROM fact f WHERE f.ser > $1 AND f.ser <= $2 ORDER BY f.ser`,
    [fromIndex, toIndex],
  );
}
