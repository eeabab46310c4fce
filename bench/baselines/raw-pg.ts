/**
 * Raw PostgreSQL doing the store's work: the limits the store is measured against, on two tables.
 *
 * - The store's own `fact` table ("same table"): its statement triggers (writers' lock, catalog,
 *   date2serial, NOTIFY) fire for these inserts and COPYs too. What raw writes skip is everything
 *   the store adds around them: gRPC, validation, the duplicate-id check, the _ser/_ts stamps. The
 *   gap to it shows what the store's code costs.
 * - A plain table (`plain_fact`): the same columns and the indexes the store's read path needs (its
 *   primary key, the unique id index, the GIN header index, copied from `fact`), no triggers. The
 *   gap to it shows what the store's schema costs on top.
 */
import pg from "pg";
import Cursor from "pg-cursor";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { WireFact } from "../client/factcast";

/** The store's table and the trigger-free table beside it. */
export type RawTable = "fact" | "plain_fact";
export const PLAIN_TABLE = "plain_fact";

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: "factline-bench-raw" });
  await client.connect();
  return client;
}

/**
 * Creates `plain_fact` beside the store's migrated `fact` table: same column types, the primary
 * key, and every other index of `fact` rebuilt from its own definition (so the baseline follows
 * the store's schema when its indexes change); no triggers, no constraints beyond NOT NULL.
 * `fill`: copy the facts already stored (the catch-up baseline reads the same rows).
 */
export async function createPlainTable(client: pg.Client, opts: { fill: boolean }): Promise<void> {
  await client.query(
    `CREATE TABLE ${PLAIN_TABLE} (ser bigserial PRIMARY KEY, header jsonb NOT NULL, payload json NOT NULL)`,
  );
  if (opts.fill) {
    await client.query(
      `INSERT INTO ${PLAIN_TABLE} (ser, header, payload) SELECT ser, header, payload FROM fact ORDER BY ser`,
    );
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${PLAIN_TABLE}', 'ser'), greatest(1, (SELECT max(ser) FROM ${PLAIN_TABLE})))`,
    );
  }
  for (const def of await secondaryIndexes(client)) {
    await client.query(
      def.replace(/^CREATE (UNIQUE )?INDEX (\S+) ON (\S+\.)?fact /, `CREATE $1INDEX ON ${PLAIN_TABLE} `),
    );
  }
  if (opts.fill) await client.query(`VACUUM (ANALYZE) ${PLAIN_TABLE}`);
}

/** CREATE INDEX statements of `fact`'s indexes other than its primary key. */
export async function secondaryIndexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ def: string }>(
    `SELECT indexdef AS def FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'fact' AND indexname <> 'fact_pkey' ORDER BY indexname`,
  );
  return rows.map((r) => r.def);
}

/** One multi-row INSERT statement (its own transaction), as a hand-written writer would do it. */
export async function insertRows(client: pg.Client, facts: WireFact[], table: RawTable = "fact"): Promise<void> {
  const params: string[] = [];
  const values: string[] = [];
  for (const f of facts) {
    params.push(f.header, f.payload);
    values.push(`($${params.length - 1}::jsonb, $${params.length}::json)`);
  }
  await client.query(`INSERT INTO ${table} (header, payload) VALUES ${values.join(",")}`, params);
}

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyField(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!)
    : text;
}

/** One COPY ... FROM STDIN (its own transaction): PostgreSQL's fastest bulk path. */
export async function copyRows(client: pg.Client, facts: WireFact[], table: RawTable = "fact"): Promise<void> {
  await copyLines(
    client,
    `COPY ${table} (header, payload) FROM STDIN`,
    facts.map((f) => `${copyField(f.header)}\t${copyField(f.payload)}\n`),
  );
}

/** COPY of preformatted lines; the seeder uses it with explicit serials. */
export async function copyLines(client: pg.Client, sql: string, lines: string[]): Promise<void> {
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from([lines.join("")]), sink);
}

export function copyText(text: string): string {
  return copyField(text);
}

// Every column as the text PostgreSQL sent, unparsed: the least a Node client can do with a row.
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * Reads matching facts in serial order with a server-side cursor, exactly the query the store's
 * catch-up sends (store/storage/read.ts: its columns uncast, `ser > $1` and the spec predicate),
 * each row an object of the texts PostgreSQL sent. Against the plain read below, what differs is
 * the table (and row objects instead of arrays), so the two show what the store's table costs.
 */
export async function cursorRead(
  client: pg.Client,
  nsFilter: string | undefined,
  rowsPerRead: number,
): Promise<number> {
  const params: string[] = ["0"];
  let predicate = "TRUE";
  if (nsFilter !== undefined) {
    params.push(JSON.stringify({ ns: nsFilter }));
    predicate = "header @> $2::jsonb";
  }
  const sql = `SELECT ser, header, payload FROM fact f WHERE f.ser > $1 AND ((${predicate})) ORDER BY f.ser`;
  return drain(client.query(new Cursor(sql, params, { types: RAW_TEXT })), rowsPerRead);
}

/**
 * The plain read: the trigger-free table, its columns as they are (no casts), each row an array of
 * the texts PostgreSQL sent (no JSON parsing, no object per row) — the cheapest way for a Node
 * client to read the same facts in serial order.
 */
export async function plainCursorRead(
  client: pg.Client,
  nsFilter: string | undefined,
  rowsPerRead: number,
): Promise<number> {
  const params: string[] = [];
  let sql = `SELECT ser, header, payload FROM ${PLAIN_TABLE}`;
  if (nsFilter !== undefined) {
    params.push(JSON.stringify({ ns: nsFilter }));
    sql += " WHERE header @> $1::jsonb";
  }
  return drain(
    client.query(new Cursor(`${sql} ORDER BY ser`, params, { rowMode: "array", types: RAW_TEXT })),
    rowsPerRead,
  );
}

async function drain(cursor: Cursor, rowsPerRead: number): Promise<number> {
  let count = 0;
  try {
    for (;;) {
      const rows = await cursor.read(rowsPerRead);
      count += rows.length;
      if (rows.length < rowsPerRead) break;
    }
  } finally {
    await cursor.close();
  }
  return count;
}
