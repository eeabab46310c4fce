// The transformation cache's storage against a real PostgreSQL: a chunk looked up in one query,
// writes that leave existing entries alone, the size the triggers keep, and least-recently-used
// eviction down to a target.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../../tests/support/storage";
import type { Db } from "../db";
import { cacheSize, evictCached } from "./evict";
import { cacheKeyText } from "./keys";
import { findCached, touchCached } from "./lookup";
import { saveCached } from "./save";

let storage: TestStorage;
let db: Db;
beforeAll(async () => {
  storage = await openTestStorage("transformation_cache", { poolSize: 5 });
  db = storage.db.lookups;
});
afterAll(async () => {
  await storage?.close();
});

let serial = 0;
// Headers of two bytes: the size the triggers keep counts header and payload.
const entry = (payload: string, chain = "chain-a") => ({
  ser: String(++serial),
  chain,
  version: 2,
  ns: "n",
  type: "T",
  header: "{}",
  payload,
});

describe("transformation cache storage", () => {
  it("finds a whole chunk in one lookup, keyed by serial and chain", async () => {
    const entries = [entry(`{"a":1}`), entry(`{"a":"ü"}`)];
    await saveCached(db, entries);
    const keys = [...entries, { ...entries[0], chain: "chain-b" }, { ...entries[0], ser: String(++serial) }];
    const { payloads, stale } = await findCached(db, keys);
    expect(payloads).toEqual([`{"a":1}`, `{"a":"ü"}`, undefined, undefined]);
    expect(stale).toEqual([]);
  });

  it("stores one chain's chunk as sent, and payloads with line breaks, commas or mixed keys exactly too", async () => {
    const chunk = Array.from({ length: 300 }, (_, i) => entry(`{"i":${i},"s":"a,b\\\\n\\"ü\\u2028"}`));
    await saveCached(db, chunk);
    expect((await findCached(db, chunk)).payloads).toEqual(chunk.map((e) => e.payload));
    // A stored payload passed through unchanged may be pretty-printed, or (for the text path's
    // sake) empty; a call may mix chains. Each is stored exactly as given.
    const odd = [
      entry(`{\n  "pretty": true\n}`),
      entry(`{"a":"\\n"}`, "chain-b"),
      { ...entry(""), version: 3 },
      { ...entry(`{"h":1}`), header: `{\n"version": 2}` },
    ];
    await saveCached(db, odd);
    expect((await findCached(db, odd)).payloads).toEqual(odd.map((e) => e.payload));
    const headers = await storage.admin<{ header: string }>(
      `SELECT header FROM transformation_cache WHERE ser = ANY($1::bigint[]) ORDER BY ser`,
      [odd.map((e) => e.ser)],
    );
    expect(headers.map((r) => r.header)).toEqual(odd.map((e) => e.header));
    const empty = entry("");
    await saveCached(db, [empty]);
    expect((await findCached(db, [empty])).payloads).toEqual([""]);
  });

  it("leaves an entry another writer stored first as it is", async () => {
    const first = entry(`{"first":true}`);
    await saveCached(db, [first]);
    await saveCached(db, [{ ...first, payload: `{"second":true}` }]);
    expect((await findCached(db, [first])).payloads).toEqual([`{"first":true}`]);
  });

  it("keeps the total size in step with inserts and deletes", async () => {
    const before = await cacheSize(db);
    await saveCached(db, [entry("x".repeat(100)), entry("ü".repeat(50))]);
    const after = await cacheSize(db);
    expect(after.bytes - before.bytes).toBe(204);
    expect(after.entries - before.entries).toBe(2);
    await storage.admin(`DELETE FROM transformation_cache WHERE payload = $1`, ["x".repeat(100)]);
    expect((await cacheSize(db)).bytes - before.bytes).toBe(102);
  });

  it("counts nothing after the cache is emptied with TRUNCATE (which fires no DELETE trigger)", async () => {
    await saveCached(db, [entry("t".repeat(300))]);
    expect((await cacheSize(db)).entries).toBeGreaterThan(0);
    await storage.admin(`TRUNCATE transformation_cache`);
    expect(await cacheSize(db)).toEqual({ bytes: 0, entries: 0 });
    await saveCached(db, [entry("a".repeat(40))]);
    expect(await cacheSize(db)).toEqual({ bytes: 42, entries: 1 });
  });

  it("recounts a size left wrong by a TRUNCATE before migration 082 (migration 083)", async () => {
    await storage.admin(`DELETE FROM transformation_cache`);
    await saveCached(db, [entry("r".repeat(70)), entry("s".repeat(30))]);
    await storage.admin(`UPDATE transformation_cache_size SET bytes = 123456, entries = 999`);
    const recount = await readFile(
      new URL("../migrations/083_transformation_cache_recount.sql", import.meta.url),
      "utf8",
    );
    await storage.admin(`BEGIN; ${recount}; COMMIT`);
    expect(await cacheSize(db)).toEqual({ bytes: 104, entries: 2 });
  });

  it("evicts the least recently used entries down to the target, and reports stale entries for a refresh", async () => {
    await storage.admin(`DELETE FROM transformation_cache`);
    const old = entry("o".repeat(998));
    const used = entry("u".repeat(998));
    const fresh = entry("f".repeat(998));
    await saveCached(db, [old, used]);
    await storage.admin(`UPDATE transformation_cache SET accessed_at = now() - interval '1 day'`);
    await saveCached(db, [fresh]);
    const { stale } = await findCached(db, [used, fresh]);
    expect(stale.map(cacheKeyText)).toEqual([cacheKeyText(used)]);
    await touchCached(db, stale);
    expect(await evictCached(db, 2000)).toBe(1000);
    const left = await findCached(db, [old, used, fresh]);
    expect(left.payloads).toEqual([undefined, "u".repeat(998), "f".repeat(998)]);
    expect(await evictCached(db, 5000)).toBe(0);
    expect(await cacheSize(db)).toEqual({ bytes: 2000, entries: 2 });
  });
});
