// A catch-up read joined to the transformation cache (store/storage/read.ts, CacheJoin) against a
// real PostgreSQL: cached facts arrive as the version asked for (header and payload from the one
// query), every other row is marked for what the store must do with it, old use stamps are named
// for a refresh, and a plan that no longer holds (a changed chain) reads the rows again after the
// last fact returned, planned anew.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FactSpec } from "../facts/spec";
import { factSpec, openTestStorage, type TestStorage } from "../../tests/support/storage";
import { insertRequests } from "./append";
import type { FactRows } from "./fact-rows";
import { FactReader, MARK_HIT, MARK_STALE_HIT, MARK_TRANSFORM, type CacheJoin } from "./read";
import { saveCached } from "./transformation-cache/save";

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("read_cache_join", { outageMs: 10_000 });
}, 60_000);
afterAll(async () => {
  await storage?.close();
});

const spec = (extra: Partial<FactSpec> = {}): FactSpec => factSpec("join", extra);

async function insert(facts: Array<{ type: string; version?: number; payload: unknown }>): Promise<string[]> {
  const ids = facts.map(() => randomUUID());
  const client = await storage.db.writes.connect();
  try {
    await insertRequests(client, [
      {
        facts: facts.map((f, i) => ({
          header: {
            id: ids[i],
            ns: "join",
            type: f.type,
            ...(f.version === undefined ? {} : { version: f.version }),
            meta: {},
          },
          payload: Buffer.from(JSON.stringify(f.payload)),
        })),
      },
    ]);
  } finally {
    client.release();
  }
  return ids;
}

/** The serials of the facts with these ids, in the same order. */
async function sersOf(ids: string[]): Promise<string[]> {
  const rows = await storage.admin<{ id: string; ser: string }>(
    `SELECT header->>'id' AS id, ser::text AS ser FROM fact WHERE header->>'id' = ANY($1::text[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r.ser]));
  return ids.map((id) => byId.get(id)!);
}

/** A cache entry of `join/T` as version 2, its header as a catch-up sends it. */
function cached(ser: string, chain: string, payload: string, header = `{"cached":${ser}}`) {
  return { ser, chain, version: 2, ns: "join", type: "T", header, payload };
}

async function readAll(
  reader: FactReader,
): Promise<Array<{ mark: string; header: Record<string, unknown>; payload: unknown }>> {
  const out = [];
  try {
    for (let rows: FactRows; (rows = await reader.nextRows()).length > 0;) {
      for (let i = 0; i < rows.length; i++) {
        const fact = rows.storedFact(i);
        out.push({
          mark: rows.markText(i),
          header: JSON.parse(fact.header) as Record<string, unknown>,
          payload: JSON.parse(fact.payload) as unknown,
        });
      }
    }
  } finally {
    await reader.close();
  }
  return out;
}

/** T wanted as version 2: version 1 through `chain`, version 2 as stored, any other for the transformer. */
const wanted = (chain: string) => JSON.stringify({ join: { T: { "2": 0, "1": [2, chain] } } });

describe("a catch-up read joined to the transformation cache", () => {
  it("serves cached facts as the version asked for and marks every other row for what it needs", async () => {
    const ids = await insert([
      { type: "T", version: 1, payload: { n: 0 } }, // cached
      { type: "T", version: 1, payload: { n: 1 } }, // not cached
      { type: "T", version: 2, payload: { n: 2 } }, // already version 2
      { type: "Other", version: 1, payload: { n: 3 } }, // a type not asked for in another version
      { type: "T", version: 3, payload: { n: 4 } }, // a version the plan has no chain for
      { type: "T", payload: { n: 5 } }, // no version (0)
      { type: "T", version: 1, payload: { n: 6 } }, // cached under another chain only
    ]);
    const sers = await sersOf(ids);
    const stored = await storage.admin<{ header: Record<string, unknown> }>(
      `SELECT header FROM fact WHERE header->>'id' = $1`,
      [ids[0]],
    );
    const header = JSON.stringify({ ...stored[0].header, version: 2 });
    await saveCached(storage.db.writes, [
      cached(sers[0], "c1", `{"n":0,"cached":"ü"}`, header),
      cached(sers[6], "old", `{"n":6,"cached":true}`),
    ]);
    const join: CacheJoin = { plan: () => ({ wanted: wanted("c1"), chains: ["c1"], token: 1 }), holds: () => true };
    const rows = await readAll(new FactReader(storage.db.reads, [spec()], 0n, undefined, { cacheJoin: join }));

    expect(rows.map((r) => r.mark)).toEqual(["h", "m", "", "", "m", "m", "m"]);
    expect(rows.map((r) => r.payload)).toEqual([
      { n: 0, cached: "ü" },
      { n: 1 },
      { n: 2 },
      { n: 3 },
      { n: 4 },
      { n: 5 },
      { n: 6 },
    ]);
    // Only the served fact's header changes: to the one cached beside its payload.
    expect(rows.map((r) => r.header.version)).toEqual([2, 1, 2, 1, 3, undefined, 1]);
    expect(rows[0].header).toEqual(JSON.parse(header));
  });

  it("names the entries whose use stamp is old, with their keys, so they are refreshed in one statement", async () => {
    const ids = await insert([
      { type: "T", version: 1, payload: { n: 10 } },
      { type: "T", version: 1, payload: { n: 11 } },
    ]);
    const sers = await sersOf(ids);
    await saveCached(
      storage.db.writes,
      sers.map((ser, n) => cached(ser, "c2", `{"n":${10 + n}}`, `{"version":2}`)),
    );
    await storage.admin(`UPDATE transformation_cache SET accessed_at = now() - interval '1 hour' WHERE ser = $1`, [
      sers[1],
    ]);
    const after = await storage.admin<{ ser: string }>(`SELECT (max(ser) - 2)::text AS ser FROM fact`);
    const join: CacheJoin = { plan: () => ({ wanted: wanted("c2"), chains: ["c2"], token: 1 }), holds: () => true };
    const rows = await readAll(
      new FactReader(storage.db.reads, [spec()], BigInt(after[0].ser), undefined, { cacheJoin: join }),
    );
    expect(rows.map((r) => r.mark)).toEqual(["h", "s c2"]);
    expect(rows.map((r) => r.header.version)).toEqual([2, 2]);
    expect("h".charCodeAt(0)).toBe(MARK_HIT);
    expect("s".charCodeAt(0)).toBe(MARK_STALE_HIT);
    expect("m".charCodeAt(0)).toBe(MARK_TRANSFORM);
  });

  it("reads again, planned anew, when the plan stops holding: no row of the old chain goes out", async () => {
    const ids = await insert(Array.from({ length: 30 }, (_, n) => ({ type: "T", version: 1, payload: { n } })));
    const sers = await sersOf(ids);
    await saveCached(
      storage.db.writes,
      sers.flatMap((ser, n) => [
        cached(ser, "before", `{"n":${n},"chain":"before"}`),
        cached(ser, "after", `{"n":${n},"chain":"after"}`),
      ]),
    );
    const after = await storage.admin<{ ser: string }>(`SELECT (max(ser) - 30)::text AS ser FROM fact`);
    // The chain changes while the first read runs (a transformation registered meanwhile).
    let generation = 1;
    let plans = 0;
    const join: CacheJoin = {
      plan: () => {
        plans++;
        const token = generation;
        if (plans === 1) generation = 2;
        const chain = token === 1 ? "before" : "after";
        return { wanted: wanted(chain), chains: [chain], token };
      },
      holds: (token) => token === generation,
    };
    const rows = await readAll(
      new FactReader(storage.db.reads, [spec()], BigInt(after[0].ser), undefined, { cacheJoin: join }),
    );
    expect(rows.map((r) => r.payload)).toEqual(Array.from({ length: 30 }, (_, n) => ({ n, chain: "after" })));
    expect(rows.every((r) => r.mark === "h")).toBe(true);
    expect(plans).toBe(2);
  });

  it("resumes after the last fact it returned when its connection is terminated mid-cursor, still served from the cache", async () => {
    const ids = await insert(Array.from({ length: 300 }, (_, n) => ({ type: "T", version: 1, payload: { n } })));
    const sers = await sersOf(ids);
    await saveCached(
      storage.db.writes,
      sers.map((ser, n) => cached(ser, "c3", `{"n":${n},"v":2}`)),
    );
    const after = await storage.admin<{ ser: string }>(`SELECT (max(ser) - 300)::text AS ser FROM fact`);
    const join: CacheJoin = { plan: () => ({ wanted: wanted("c3"), chains: ["c3"], token: 1 }), holds: () => true };
    const reader = new FactReader(storage.db.reads, [spec()], BigInt(after[0].ser), undefined, {
      cacheJoin: join,
      health: storage.health,
    });
    const seen: Array<{ ser: bigint; n: number; mark: number }> = [];
    const take = (rows: FactRows) => {
      for (let i = 0; i < rows.length; i++) {
        const fact = rows.storedFact(i);
        seen.push({ ser: fact.ser, n: (JSON.parse(fact.payload) as { n: number }).n, mark: rows.mark(i) });
      }
    };
    try {
      take(await reader.nextRows());
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThan(300);
      expect(await storage.terminateStoreBackends()).toBeGreaterThan(0);
      for (let rows = await reader.nextRows(); rows.length > 0; rows = await reader.nextRows()) take(rows);
    } finally {
      await reader.close();
    }
    expect(seen.map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(seen.every((r) => r.mark === MARK_HIT)).toBe(true);
    expect(new Set(seen.map((r) => r.ser)).size).toBe(300);
  }, 60_000);
});
