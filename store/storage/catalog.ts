import type { Db } from "./db";

// Enumerations read the catalog table that the insert trigger maintains (never the fact table),
// together with the schema registry: a registered type exists even before its first fact.

export async function namespaces(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ ns: string }>(
    `SELECT ns FROM catalog UNION SELECT ns FROM schema_version ORDER BY ns`,
  );
  return rows.map((r) => r.ns);
}

export async function typesOf(db: Db, ns: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>(
    `SELECT type FROM catalog WHERE ns = $1 AND type <> '' UNION SELECT type FROM schema_version WHERE ns = $1 ORDER BY type`,
    [ns],
  );
  return rows.map((r) => r.type);
}

export async function versionsOf(db: Db, ns: string, type: string): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT version FROM catalog WHERE ns = $1 AND type = $2
     UNION SELECT version FROM schema_version WHERE ns = $1 AND type = $2 ORDER BY version`,
    [ns, type],
  );
  return rows.map((r) => r.version);
}

export interface CatalogRow {
  ns: string;
  type: string;
  version: number;
  factCount: bigint;
  firstSerial: bigint;
  lastSerial: bigint;
  firstPublishedMs: bigint;
  lastPublishedMs: bigint;
}

/** The whole catalog (or one namespace's), ordered by ns, type, version. */
export async function catalogRows(db: Db, ns?: string): Promise<CatalogRow[]> {
  const { rows } = await db.query<CatalogRow>(
    `SELECT ns, type, version, fact_count AS "factCount", first_ser AS "firstSerial", last_ser AS "lastSerial",
            floor(extract(epoch FROM first_at) * 1000)::bigint AS "firstPublishedMs",
            floor(extract(epoch FROM last_at) * 1000)::bigint AS "lastPublishedMs"
       FROM catalog WHERE $1::text IS NULL OR ns = $1 ORDER BY ns, type, version`,
    [ns ?? null],
  );
  return rows;
}
