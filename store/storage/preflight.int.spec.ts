// What the store checks before it serves: it refuses a database on which its ordering or
// durability guarantees would not hold, saying what is wrong and how to fix it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { checkDatabase, UnsafeDatabaseError } from "./preflight";

let storage: TestStorage;
beforeEach(async () => {
  storage = await openTestStorage("preflight");
}, 60_000);
afterEach(async () => {
  await storage?.close();
});

describe("checkDatabase", () => {
  it("accepts a database as the migrations left it", async () => {
    await expect(checkDatabase(storage.db.lookups)).resolves.toBeUndefined();
  });

  it("refuses a serial sequence with a cache, naming the fix", async () => {
    await storage.admin("ALTER SEQUENCE fact_ser_seq CACHE 20");
    const error = await checkDatabase(storage.db.lookups).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeDatabaseError);
    expect((error as Error).message).toMatch(/^refusing to start: the sequence fact_ser_seq has CACHE 20/);
    expect((error as Error).message).toMatch(/ALTER SEQUENCE fact_ser_seq CACHE 1/);
  });

  it("refuses a disabled writers' lock trigger, naming the fix", async () => {
    await storage.admin("ALTER TABLE fact DISABLE TRIGGER tr_fact_serialize_writers");
    await expect(checkDatabase(storage.db.lookups)).rejects.toThrow(
      /tr_fact_serialize_writers on fact is disabled; run ALTER TABLE fact ENABLE TRIGGER tr_fact_serialize_writers/,
    );
  });

  it("lists every problem at once", async () => {
    await storage.admin("ALTER SEQUENCE fact_ser_seq CACHE 5");
    await storage.admin("ALTER TABLE fact DISABLE TRIGGER tr_fact_immutable");
    await expect(checkDatabase(storage.db.lookups)).rejects.toThrow(/CACHE 5.*; and .*tr_fact_immutable/s);
  });
});
