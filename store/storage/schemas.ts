import { createHash } from "node:crypto";
import { inTransaction, type Db } from "./db";

// The schema registry's SQL. Validation and caching live in store/schemas/.

export interface SchemaKey {
  ns: string;
  type: string;
  version: number;
}

export interface SchemaRecord extends SchemaKey {
  schema: string;
  description: string;
  registeredBy: string;
  registeredMs: number;
  examples: string[];
  revision: number;
  hash: string;
  factCount: number;
}

export interface Replacement {
  revision: number;
  schema: string;
  registeredBy: string;
  registeredMs: number;
  reason: string;
}

const COLUMNS = `s.ns, s.type, s.version, s.schema, s.description, s.registered_by AS "registeredBy",
  floor(extract(epoch FROM s.registered_at) * 1000)::float8 AS "registeredMs", s.examples, s.revision, s.hash,
  coalesce(c.fact_count, 0)::float8 AS "factCount"`;
const FROM = `schema_version s LEFT JOIN catalog c ON c.ns = s.ns AND c.type = s.type AND c.version = s.version`;

interface Row extends Omit<SchemaRecord, "examples"> {
  examples: unknown[];
}

function toRecord(row: Row): SchemaRecord {
  return { ...row, examples: row.examples.map((e) => (typeof e === "string" ? e : JSON.stringify(e))) };
}

export function schemaHash(schema: string): string {
  return createHash("md5").update(schema).digest("hex");
}

export async function getSchema(db: Db, key: SchemaKey): Promise<SchemaRecord | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE s.ns = $1 AND s.type = $2 AND s.version = $3`,
    [key.ns, key.type, key.version],
  );
  return rows[0] && toRecord(rows[0]);
}

export async function listSchemas(db: Db, filter: { ns?: string; type?: string }): Promise<SchemaRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${FROM}
      WHERE ($1::text IS NULL OR s.ns = $1) AND ($2::text IS NULL OR s.type = $2) ORDER BY s.ns, s.type, s.version`,
    [filter.ns ?? null, filter.type ?? null],
  );
  return rows.map(toRecord);
}

/** Every registered schema text and the registry generation they belong to, in one snapshot. */
export async function registrySnapshot(
  db: Db,
): Promise<{ generation: bigint; schemas: Array<SchemaKey & { schema: string }> }> {
  const { rows } = await db.query<{
    generation: bigint;
    ns: string | null;
    type: string;
    version: number;
    schema: string;
  }>(
    `SELECT g.generation, s.ns, s.type, s.version, s.schema
       FROM schema_registry_generation g LEFT JOIN schema_version s ON true`,
  );
  return {
    generation: rows[0].generation,
    schemas: rows
      .filter((r) => r.ns !== null)
      .map((r) => ({ ns: r.ns!, type: r.type, version: r.version, schema: r.schema })),
  };
}

/** (ns, type) pairs with stored facts and no registered version at all. */
export async function unschematized(
  db: Db,
  filter: { ns?: string; type?: string },
): Promise<Array<{ ns: string; type: string }>> {
  const { rows } = await db.query<{ ns: string; type: string }>(
    `SELECT DISTINCT c.ns, c.type FROM catalog c
      WHERE c.type <> '' AND ($1::text IS NULL OR c.ns = $1) AND ($2::text IS NULL OR c.type = $2)
        AND NOT EXISTS (SELECT 1 FROM schema_version s WHERE s.ns = c.ns AND s.type = c.type)
      ORDER BY c.ns, c.type`,
    [filter.ns ?? null, filter.type ?? null],
  );
  return rows;
}

export async function replacementsOf(db: Db, key: SchemaKey): Promise<Replacement[]> {
  const { rows } = await db.query<Replacement>(
    `SELECT revision, schema, registered_by AS "registeredBy",
            floor(extract(epoch FROM registered_at) * 1000)::float8 AS "registeredMs", reason
       FROM schema_replacement WHERE ns = $1 AND type = $2 AND version = $3 ORDER BY revision DESC`,
    [key.ns, key.type, key.version],
  );
  return rows;
}

export interface Registration extends SchemaKey {
  schema: string;
  description: string;
  registeredBy: string;
  examples: string[];
}

export type RegistrationOutcome = "registered" | "unchanged" | "replaced" | "conflict";

/**
 * Registers a version. An identical schema is a no-op; a different one is a conflict unless
 * `force`, which keeps the old revision in schema_replacement with the reason.
 */
export async function registerSchema(
  db: Db,
  registration: Registration,
  force: { reason: string } | undefined,
): Promise<RegistrationOutcome> {
  const hash = schemaHash(registration.schema);
  return inTransaction(db, async (client) => {
    // Serializes registrations of one key across instances (the row may not exist yet).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2 || '/' || $3::text))`, [
      registration.ns,
      registration.type,
      registration.version,
    ]);
    // "The same schema" means the same JSON: formatting and key order do not make a new schema
    // (an exported registry, pretty-printed, imports back as unchanged).
    const { rows } = await client.query<{ same: boolean }>(
      `SELECT schema::jsonb = $4::jsonb AS same FROM schema_version WHERE ns = $1 AND type = $2 AND version = $3`,
      [registration.ns, registration.type, registration.version, registration.schema],
    );
    const values = [
      registration.ns,
      registration.type,
      registration.version,
      registration.schema,
      registration.description,
      registration.registeredBy,
      JSON.stringify(registration.examples.map((e) => JSON.parse(e))),
      hash,
    ];
    if (rows.length === 0) {
      await client.query(
        `INSERT INTO schema_version (ns, type, version, schema, description, registered_by, examples, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        values,
      );
      return "registered";
    }
    if (rows[0].same) return "unchanged";
    if (!force) return "conflict";
    await client.query(
      `INSERT INTO schema_replacement (ns, type, version, revision, schema, registered_by, registered_at, replaced_by, reason)
       SELECT ns, type, version, revision, schema, registered_by, registered_at, $4, $5
         FROM schema_version WHERE ns = $1 AND type = $2 AND version = $3`,
      [registration.ns, registration.type, registration.version, registration.registeredBy, force.reason],
    );
    await client.query(
      `UPDATE schema_version SET schema = $4, description = $5, registered_by = $6, examples = $7, hash = $8,
              registered_at = now(), revision = revision + 1
        WHERE ns = $1 AND type = $2 AND version = $3`,
      values,
    );
    return "replaced";
  });
}

/**
 * Deletes a version no stored fact uses. Holding the writers' lock, no fact of that version can be
 * published between the check and the delete.
 */
export async function deleteSchema(db: Db, key: SchemaKey): Promise<"deleted" | "absent" | { inUse: number }> {
  return inTransaction(db, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(128)`);
    const used = await client.query<{ n: number }>(
      `SELECT fact_count::float8 AS n FROM catalog WHERE ns = $1 AND type = $2 AND version = $3`,
      [key.ns, key.type, key.version],
    );
    if ((used.rows[0]?.n ?? 0) > 0) return { inUse: used.rows[0].n };
    const { rowCount } = await client.query(`DELETE FROM schema_version WHERE ns = $1 AND type = $2 AND version = $3`, [
      key.ns,
      key.type,
      key.version,
    ]);
    return rowCount ? "deleted" : "absent";
  });
}
