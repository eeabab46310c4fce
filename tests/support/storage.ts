/**
 * The store's storage layer in-process on a fresh, migrated database of the int projects'
 * PostgreSQL, for the storage operations' own tests (store/storage/*.int.spec.ts).
 */
import pg from "pg";
import { inject } from "vitest";
import type { FactSpec } from "../../store/facts/spec";
import { openDatabase, type StoreDatabase } from "../../store/storage/db";
import { DatabaseHealth } from "../../store/storage/health";
import { migrate } from "../../store/storage/migrate";
import { createTestDatabase } from "./database.js";
import "./provided.js";

export interface TestStorage {
  db: StoreDatabase;
  health: DatabaseHealth;
  url: string;
  /** Runs SQL as the superuser on the same database (outside the store's pools). */
  admin<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** pg_terminate_backend of every store connection of this database. */
  terminateStoreBackends(): Promise<number>;
  close(): Promise<void>;
}

/** A FactSpec of `ns` with FactCast's defaults (every version, no conditions), plus `extra`. */
export function factSpec(ns: string, extra: Partial<FactSpec> = {}): FactSpec {
  return { ns, version: 0, aggIds: [], meta: {}, metaKeyExists: {}, aggIdProperties: {}, ...extra };
}

export async function openTestStorage(
  label: string,
  options: { poolSize?: number; outageMs?: number } = {},
): Promise<TestStorage> {
  const database = await createTestDatabase(inject("pgAdminUrl"), label);
  const health = new DatabaseHealth(database.url, options.outageMs);
  const db = openDatabase(database.url, options.poolSize ?? 10, health);
  await migrate(db.lookups);
  const admin = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    db,
    health,
    url: database.url,
    admin,
    terminateStoreBackends: async () =>
      (
        await admin(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'factline-store%'`,
        )
      ).length,
    close: async () => {
      health.stop();
      await db.end();
      await database.drop();
    },
  };
}
