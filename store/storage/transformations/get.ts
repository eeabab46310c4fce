import type { Db } from "../db";
import {
  RECORD_COLUMNS,
  toRecord,
  type TransformationKey,
  type TransformationRecord,
  type TransformationReplacement,
} from "./types";

export async function getTransformation(db: Db, key: TransformationKey): Promise<TransformationRecord | undefined> {
  const { rows } = await db.query(
    `SELECT ${RECORD_COLUMNS} FROM transformation
      WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4`,
    [key.ns, key.type, key.from, key.to],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Earlier revisions that forced registrations replaced, newest first. */
export async function transformationHistory(db: Db, key: TransformationKey): Promise<TransformationReplacement[]> {
  const { rows } = await db.query<TransformationReplacement & { code: string | null }>(
    `SELECT revision, code, registered_by AS "registeredBy",
            floor(extract(epoch FROM registered_at) * 1000)::float8 AS "registeredMs", reason
       FROM transformation_replacement
      WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4 ORDER BY revision DESC`,
    [key.ns, key.type, key.from, key.to],
  );
  return rows.map(({ code, ...rest }) => (code === null ? rest : { ...rest, code }));
}
