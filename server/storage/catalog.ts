import type { Db } from "./db";

// Enumerations read the catalog table that the insert trigger maintains; never the fact table.

export async function namespaces(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ ns: string }>(`SELECT DISTINCT ns FROM catalog ORDER BY ns`);
  return rows.map((r) => r.ns);
}

export async function typesOf(db: Db, ns: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>(
    `SELECT DISTINCT type FROM catalog WHERE ns = $1 AND type <> '' ORDER BY type`,
    [ns],
  );
  return rows.map((r) => r.type);
}

export async function versionsOf(db: Db, ns: string, type: string): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT version FROM catalog WHERE ns = $1 AND type = $2 ORDER BY version`,
    [ns, type],
  );
  return rows.map((r) => r.version);
}
