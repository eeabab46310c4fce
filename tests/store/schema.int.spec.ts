// The database schema the migrations produce, pinned: a migration that changes a table, an index or
// a trigger must change the snapshot with it, on purpose. Also: two store instances starting at once
// on an empty database apply each migration exactly once.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import "../support/provided.js";
import { startStore, type RunningStore } from "../support/store.js";

let db: TestDatabase;
let stores: RunningStore[] = [];
beforeAll(async () => {
  db = await createTestDatabase(inject("pgAdminUrl"), "schema");
  // Both start against the empty database at the same moment; the migration lock must serialize them.
  stores = await Promise.all([startStore({ databaseUrl: db.url }), startStore({ databaseUrl: db.url })]);
}, 120_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.stop()));
  await db?.drop();
}, 30_000);

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("schema", () => {
  it("two instances starting at once both come up and apply each migration once", async () => {
    const rows = await query<{ version: number; n: string }>(
      `SELECT version, count(*) AS n FROM factline_migration GROUP BY version ORDER BY version`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Number(row.n)).toBe(1);
    expect(stores.every((s) => s.process.exitCode === null)).toBe(true);
  });

  it("matches the pinned schema", async () => {
    const columns = await query<{ line: string }>(`
      SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
             || coalesce(' default ' || column_default, '') AS line
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
    const indexes = await query<{ line: string }>(
      `SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`,
    );
    const triggers = await query<{ line: string }>(`
      SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname, t.tgname`);
    const constraints = await query<{ line: string }>(`
      SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace AND contype = 'c' ORDER BY 1`);
    const schema =
      [
        "-- columns",
        ...columns.map((r) => r.line),
        "-- indexes",
        ...indexes.map((r) => r.line),
        "-- triggers",
        ...triggers.map((r) => r.line),
        "-- check constraints",
        ...constraints.map((r) => r.line),
      ].join("\n") + "\n";
    await expect(schema).toMatchFileSnapshot("./__snapshots__/schema.sql");
  });

  it("refuses to update or delete facts", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`DELETE FROM fact`)).rejects.toThrow(/facts are immutable/);
      await expect(client.query(`UPDATE fact SET payload = '{}'`)).rejects.toThrow(/facts are immutable/);
    } finally {
      await client.end();
    }
  });
});
