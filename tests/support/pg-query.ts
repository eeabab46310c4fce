/**
 * One statement on a connection of its own, for test harnesses that inspect or steer a PostgreSQL
 * the store under test also uses (tests/faults/support/cluster.ts, tests/replication/support/).
 * A fresh client per call: the harness must not hold a connection across a restart it causes.
 */
import pg from "pg";

/** A server that does not answer the connect within this long fails the call instead of hanging it. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function queryOnce<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server killed mid-call emits 'error' on the client as well as rejecting the query.
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}
