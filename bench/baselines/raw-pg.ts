/**
 * Raw PostgreSQL doing the store's work on the store's own `fact` table: the limit the store is
 * measured against. The table's statement triggers (writers' lock, catalog, date2serial, NOTIFY)
 * fire for these inserts and COPYs too — they are part of "the same table", and a store without
 * them would be a different store. What raw inserts skip is everything the store adds around them:
 * gRPC, validation, the duplicate-id check and the _ser/_ts stamps.
 */
import pg from "pg";
import Cursor from "pg-cursor";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { WireFact } from "../client/factcast";

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: "factline-bench-raw" });
  await client.connect();
  return client;
}

/** One multi-row INSERT statement (its own transaction), as a hand-written writer would do it. */
export async function insertRows(client: pg.Client, facts: WireFact[]): Promise<void> {
  const params: string[] = [];
  const values: string[] = [];
  for (const f of facts) {
    params.push(f.header, f.payload);
    values.push(`($${params.length - 1}::jsonb, $${params.length}::json)`);
  }
  await client.query(`INSERT INTO fact (header, payload) VALUES ${values.join(",")}`, params);
}

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyField(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!)
    : text;
}

/** One COPY ... FROM STDIN (its own transaction): PostgreSQL's fastest bulk path. */
export async function copyRows(client: pg.Client, facts: WireFact[]): Promise<void> {
  await copyLines(
    client,
    "COPY fact (header, payload) FROM STDIN",
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

/**
 * Reads matching facts in serial order with a server-side cursor, exactly the query shape the
 * store's catch-up uses, and converts every row to strings as the store's reader does.
 */
export async function cursorRead(
  client: pg.Client,
  nsFilter: string | undefined,
  rowsPerRead: number,
): Promise<number> {
  const params: string[] = ["0"];
  let sql = "SELECT ser, header::text AS header, payload::text AS payload FROM fact WHERE ser > $1";
  if (nsFilter !== undefined) {
    params.push(JSON.stringify({ ns: nsFilter }));
    sql += " AND header @> $2::jsonb";
  }
  const cursor = client.query(new Cursor(`${sql} ORDER BY ser`, params));
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
