import pg from "pg";

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;

// int8 columns (serials, counts) arrive as bigint, never as lossy numbers or strings.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => BigInt(v)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * One pool per store instance. Catch-up cursors hold a connection while they stream, so the pool is
 * sized for concurrent catch-ups plus the single writer and unary lookups.
 */
export function createDb(url: string, size: number): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    types,
    application_name: "factline-store",
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection must not crash the store; the pool replaces it on next use.
  pool.on("error", () => {});
  return pool;
}

/** A dedicated connection outside the pool (LISTEN needs one that is never handed to others). */
export function createDedicatedClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types, application_name: "factline-store-listen" });
}

/** Runs `work` in a transaction on a pooled connection, rolling back on any error. */
export async function inTransaction<T>(db: Db, work: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
