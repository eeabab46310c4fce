// The audit trail's storage against a real PostgreSQL: entries come back newest first in keyset
// pages, each filter narrows them, and the database itself refuses to change or remove an entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { appendAudit, auditPage, type AuditEntry } from "./audit";
import type { Db } from "./db";

let storage: TestStorage;
let db: Db;

beforeAll(async () => {
  storage = await openTestStorage("audit_storage", { poolSize: 5 });
  db = storage.db.lookups;
});
afterAll(async () => {
  await storage?.close();
});

const base: AuditEntry = { account: "admin", via: "basic", action: "schema.register", outcome: "ok" };

describe("audit storage", () => {
  const ids: bigint[] = [];
  beforeAll(async () => {
    ids.push(await appendAudit(db, { ...base, ns: "shop", subject: "OrderPlaced v1" }));
    ids.push(await appendAudit(db, { ...base, action: "schema.replace", ns: "shop", reason: "typo in enum" }));
    ids.push(await appendAudit(db, { ...base, account: "operator", outcome: "denied", ns: "billing", detail: "no" }));
    ids.push(await appendAudit(db, { ...base, account: "operator", action: "console.sign-in", address: "::1" }));
    ids.push(await appendAudit(db, { ...base, action: "schema.delete", ns: "shop_2", subject: "X v1" }));
  });

  it("pages newest first by keyset, saying whether more is left", async () => {
    const first = await auditPage(db, { limit: 2 });
    expect(first.entries.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    expect(first.hasMore).toBe(true);
    const second = await auditPage(db, { limit: 2, beforeId: first.entries[1].id });
    expect(second.entries.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const last = await auditPage(db, { limit: 2, beforeId: second.entries[1].id });
    expect(last.entries.map((e) => e.id)).toEqual([ids[0]]);
    expect(last.hasMore).toBe(false);
  });

  it("pages back towards the newest from a page's first id, still newest first", async () => {
    const up = await auditPage(db, { limit: 2, afterId: ids[0] });
    expect(up.entries.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(up.hasMore).toBe(true);
    const top = await auditPage(db, { limit: 2, afterId: up.entries[0].id });
    expect(top.entries.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    expect(top.hasMore).toBe(false);
    // the filters hold upwards too
    const mine = await auditPage(db, { limit: 10, afterId: ids[0], account: "operator" });
    expect(mine.entries.map((e) => e.id)).toEqual([ids[3], ids[2]]);
  });

  it("keeps every field as written", async () => {
    const [entry] = (await auditPage(db, { limit: 1, beforeId: ids[2] })).entries;
    expect(entry).toMatchObject({ account: "admin", action: "schema.replace", ns: "shop", reason: "typo in enum" });
    expect(entry.atMs).toBeGreaterThan(Date.now() - 60_000);
    const [signIn] = (await auditPage(db, { limit: 1, action: "console.sign-in" })).entries;
    expect(signIn).toMatchObject({ account: "operator", address: "::1", ns: undefined, subject: "" });
  });

  it("filters by account, action and namespace, exactly or by prefix", async () => {
    const of = async (filter: Parameters<typeof auditPage>[1]) =>
      (await auditPage(db, filter)).entries.map((e) => e.id);
    expect(await of({ limit: 10, account: "operator" })).toEqual([ids[3], ids[2]]);
    expect(await of({ limit: 10, action: "schema.*" })).toEqual([ids[4], ids[2], ids[1], ids[0]]);
    expect(await of({ limit: 10, ns: "shop" })).toEqual([ids[1], ids[0]]);
    // `_` in a prefix is a character, not LIKE's wildcard
    expect(await of({ limit: 10, ns: "shop_*" })).toEqual([ids[4]]);
    expect(await of({ limit: 10, ns: "shop*", account: "admin", action: "schema.register" })).toEqual([ids[0]]);
  });

  it("filters by time", async () => {
    const now = Date.now();
    expect((await auditPage(db, { limit: 10, fromMs: now + 60_000 })).entries).toEqual([]);
    expect((await auditPage(db, { limit: 10, fromMs: now - 60_000, toMs: now + 60_000 })).entries).toHaveLength(5);
    expect((await auditPage(db, { limit: 10, toMs: now - 60_000 })).entries).toEqual([]);
  });

  it("bounds what one entry may hold", async () => {
    const id = await appendAudit(db, { ...base, detail: "x".repeat(100_000) });
    const [entry] = (await auditPage(db, { limit: 1, beforeId: id + 1n })).entries;
    expect(entry.detail.length).toBeLessThanOrEqual(4_001);
  });

  it("refuses to update, delete or truncate entries", async () => {
    await expect(db.query(`UPDATE audit_entry SET account = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_entry`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_entry`)).rejects.toThrow(/append-only/);
    expect((await auditPage(db, { limit: 100 })).entries.length).toBeGreaterThanOrEqual(5);
  });

  it("refuses an outcome it does not know", async () => {
    await expect(appendAudit(db, { ...base, outcome: "maybe" as never })).rejects.toThrow(/check constraint/);
  });
});
