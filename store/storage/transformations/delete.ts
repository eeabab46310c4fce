import type { Db } from "../db";
import type { TransformationKey } from "./types";

/**
 * Deletes a registered transformation; its type's cached payloads go with it (a trigger of
 * migrations/060). Stored facts never depend on a transformation, so nothing else stops a delete.
 */
export async function deleteTransformation(db: Db, key: TransformationKey): Promise<"deleted" | "absent"> {
  const { rowCount } = await db.query(
    `DELETE FROM transformation WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4`,
    [key.ns, key.type, key.from, key.to],
  );
  return rowCount ? "deleted" : "absent";
}
