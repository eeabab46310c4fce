import type { StoredFact } from "../facts/fact";
import type { Db } from "./db";

// Single-fact and position lookups. Facts by id go through idx_fact_unique_uuid, by serial
// through the primary key.

const FACT_COLUMNS = "ser, header::text AS header, payload::text AS payload";

export async function factById(db: Db, id: string): Promise<StoredFact | undefined> {
  const { rows } = await db.query<StoredFact>(
    `SELECT ${FACT_COLUMNS} FROM fact WHERE (header ->> 'id')::uuid = $1::uuid`,
    [id],
  );
  return rows[0];
}

export async function factBySerial(db: Db, ser: bigint): Promise<StoredFact | undefined> {
  const { rows } = await db.query<StoredFact>(`SELECT ${FACT_COLUMNS} FROM fact WHERE ser = $1`, [ser.toString()]);
  return rows[0];
}

export async function serialOf(db: Db, id: string): Promise<bigint | undefined> {
  const { rows } = await db.query<{ ser: bigint }>(`SELECT ser FROM fact WHERE (header ->> 'id')::uuid = $1::uuid`, [
    id,
  ]);
  return rows[0]?.ser;
}

/** The newest fact's serial and id (the log's high-water mark); serial 0 when the store is empty. */
export async function highWaterMark(db: Db): Promise<{ ser: bigint; id?: string }> {
  const { rows } = await db.query<{ ser: bigint; id: string }>(
    `SELECT ser, header ->> 'id' AS id FROM fact ORDER BY ser DESC LIMIT 1`,
  );
  return rows[0] ?? { ser: 0n };
}

export async function latestSerial(db: Db): Promise<bigint> {
  const { rows } = await db.query<{ ser: bigint | null }>(`SELECT max(ser) AS ser FROM fact`);
  return rows[0].ser ?? 0n;
}

/** The last serial before `day` (UTC) begins: FactCast's lastSerialBefore. */
export async function lastSerialBefore(db: Db, day: string): Promise<bigint> {
  const { rows } = await db.query<{ ser: bigint | null }>(
    `SELECT min(first_ser) - 1 AS ser FROM date2serial WHERE fact_date >= $1::date`,
    [day],
  );
  // No fact on or after that day: every fact so far is before it.
  return rows[0].ser ?? (await latestSerial(db));
}

/** The first serial on or after `day` (UTC); when nothing is that new yet, one past the latest. */
export async function firstSerialAfter(db: Db, day: string): Promise<bigint> {
  const { rows } = await db.query<{ ser: bigint | null }>(
    `SELECT min(first_ser) AS ser FROM date2serial WHERE fact_date >= $1::date`,
    [day],
  );
  return rows[0].ser ?? (await latestSerial(db)) + 1n;
}

export async function databaseTimeMillis(db: Db): Promise<bigint> {
  const { rows } = await db.query<{ ms: bigint }>(
    `SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms`,
  );
  return rows[0].ms;
}
