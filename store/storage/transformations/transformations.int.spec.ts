// The transformation registry's storage against a real PostgreSQL: registration outcomes and
// history, the database's own rules (an upcast needs code, a version changes), listing, delete,
// the newest-first sample, and the cache entries a change of the type takes with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../../tests/support/storage";
import type { Db } from "../db";
import { saveCached } from "../transformation-cache/save";
import { deleteTransformation } from "./delete";
import { getTransformation, transformationHistory } from "./get";
import { listTransformations } from "./list";
import { codeHash, registerTransformation } from "./register";
import { newestFactsOf } from "./sample";

let storage: TestStorage;
let db: Db;
beforeAll(async () => {
  storage = await openTestStorage("transformation_storage", { poolSize: 5 });
  db = storage.db.lookups;
});
afterAll(async () => {
  await storage?.close();
});

const up = { ns: "users", type: "UserCreated", from: 1, to: 2 };
const by = { description: "", registeredBy: "admin" };

describe("transformation storage", () => {
  it("registers, keeps the same code unchanged, refuses other code without force, keeps history with it", async () => {
    expect(await registerTransformation(db, { ...up, ...by, code: "function (e) {}" }, undefined)).toBe("registered");
    expect(await registerTransformation(db, { ...up, ...by, code: "function (e) {}" }, undefined)).toBe("unchanged");
    expect(await registerTransformation(db, { ...up, ...by, code: "function (e) { e.a = 1; }" }, undefined)).toBe(
      "conflict",
    );
    expect(
      await registerTransformation(
        db,
        { ...up, ...by, registeredBy: "ops", code: "function (e) { e.a = 1; }" },
        { reason: "a" },
      ),
    ).toBe("replaced");
    const stored = await getTransformation(db, up);
    expect(stored).toMatchObject({ ...up, code: "function (e) { e.a = 1; }", revision: 2, registeredBy: "ops" });
    expect(stored!.hash).toBe(codeHash("function (e) { e.a = 1; }"));
    expect(await transformationHistory(db, up)).toMatchObject([
      { revision: 1, code: "function (e) {}", registeredBy: "admin", reason: "a" },
    ]);
  });

  it("stores a downcast without code as the identity; the database refuses an upcast without code", async () => {
    const down = { ns: "users", type: "UserCreated", from: 2, to: 1 };
    expect(await registerTransformation(db, { ...down, ...by }, undefined)).toBe("registered");
    const stored = await getTransformation(db, down);
    expect([stored!.code, stored!.hash]).toEqual([undefined, ""]);
    await expect(registerTransformation(db, { ...up, type: "Other", ...by }, undefined)).rejects.toThrow(
      /transformation_upcast_has_code/,
    );
    await expect(
      registerTransformation(db, { ...up, type: "Other", to: 1, ...by, code: "function (e) {}" }, undefined),
    ).rejects.toThrow(/transformation_changes_version/);
  });

  it("lists in key order, with or without code, and deletes", async () => {
    const listed = await listTransformations(db, { ns: "users" });
    expect(listed.map((t) => [t.from, t.to])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect((await listTransformations(db, { ns: "users", withCode: false }))[0].code).toBeUndefined();
    expect(await listTransformations(db, { ns: "nobody" })).toEqual([]);
    expect(await deleteTransformation(db, { ns: "users", type: "UserCreated", from: 2, to: 1 })).toBe("deleted");
    expect(await deleteTransformation(db, { ns: "users", type: "UserCreated", from: 2, to: 1 })).toBe("absent");
  });

  it("a change to a type's transformations or schemas deletes that type's cached payloads, and only those", async () => {
    const entry = (ser: string, type: string) => ({
      ser,
      chain: "c",
      version: 2,
      ns: "users",
      type,
      header: "{}",
      payload: "{}",
    });
    const cached = async () =>
      (await storage.admin<{ type: string }>(`SELECT type FROM transformation_cache ORDER BY type`)).map((r) => r.type);
    await saveCached(db, [entry("1", "UserCreated"), entry("2", "Untouched")]);
    expect(await cached()).toEqual(["Untouched", "UserCreated"]);
    await registerTransformation(db, { ns: "users", type: "UserCreated", from: 3, to: 2, ...by }, undefined);
    expect(await cached()).toEqual(["Untouched"]);
    await saveCached(db, [entry("3", "UserCreated")]);
    await storage.admin(
      `INSERT INTO schema_version (ns, type, version, schema, hash) VALUES ('users', 'UserCreated', 9, '{}', '')`,
    );
    expect(await cached()).toEqual(["Untouched"]);
  });

  it("samples the newest facts of one version first, and says when there are more", async () => {
    const publish = async (version: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const header = JSON.stringify({ id: crypto.randomUUID(), ns: "s", type: "T", version });
        await storage.admin(
          `SELECT * FROM factline_append(ARRAY[($1::jsonb ->> 'id')::uuid], ARRAY[$1::jsonb], ARRAY[$2], NULL)`,
          [header, JSON.stringify({ i, version })],
        );
      }
    };
    await publish(1, 3);
    await publish(2, 2);
    const sample = await newestFactsOf(db, { ns: "s", type: "T", version: 1 }, 2);
    expect(sample.facts.map((f) => JSON.parse(f.payload))).toEqual([
      { i: 2, version: 1 },
      { i: 1, version: 1 },
    ]);
    expect(sample.more).toBe(true);
    expect((await newestFactsOf(db, { ns: "s", type: "T", version: 2 }, 5)).more).toBe(false);
    expect((await newestFactsOf(db, { ns: "s", type: "T", version: 7 }, 5)).facts).toEqual([]);
  });
});
