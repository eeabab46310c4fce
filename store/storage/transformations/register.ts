import { createHash } from "node:crypto";
import { inTransaction, type Db } from "../db";
import type { TransformationKey } from "./types";

export interface TransformationRegistration extends TransformationKey {
  /** undefined: a downcast without code. */
  code?: string;
  description: string;
  registeredBy: string;
}

export type TransformationOutcome = "registered" | "unchanged" | "replaced" | "conflict";

/** FactCast's index.json hash of a transform.js: the MD5 of its text. */
export function codeHash(code: string | undefined): string {
  return code === undefined ? "" : createHash("md5").update(code).digest("hex");
}

/**
 * Registers a transformation. The same code again is a no-op; other code for a registered pair is
 * a conflict unless `force`, which keeps the old revision in transformation_replacement with the
 * reason. Code is compared as text: unlike a schema, a script's formatting is part of what a
 * reviewer approved.
 */
export async function registerTransformation(
  db: Db,
  registration: TransformationRegistration,
  force: { reason: string } | undefined,
): Promise<TransformationOutcome> {
  const { ns, type, from, to } = registration;
  const code = registration.code ?? null;
  return inTransaction(db, async (client) => {
    // Serializes registrations of one pair across instances (the row may not exist yet).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('transformation/' || $1 || '/' || $2 || '/' || $3))`, [
      ns,
      type,
      `${from}-${to}`,
    ]);
    const { rows } = await client.query<{ same: boolean }>(
      `SELECT code IS NOT DISTINCT FROM $5 AS same FROM transformation
        WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4`,
      [ns, type, from, to, code],
    );
    const values = [
      ns,
      type,
      from,
      to,
      code,
      registration.description,
      registration.registeredBy,
      codeHash(registration.code),
    ];
    if (rows.length === 0) {
      await client.query(
        `INSERT INTO transformation (ns, type, from_version, to_version, code, description, registered_by, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        values,
      );
      return "registered";
    }
    if (rows[0].same) return "unchanged";
    if (!force) return "conflict";
    await client.query(
      `INSERT INTO transformation_replacement
              (ns, type, from_version, to_version, revision, code, registered_by, registered_at, replaced_by, reason)
       SELECT ns, type, from_version, to_version, revision, code, registered_by, registered_at, $5, $6
         FROM transformation WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4`,
      [ns, type, from, to, registration.registeredBy, force.reason],
    );
    await client.query(
      `UPDATE transformation SET code = $5, description = $6, registered_by = $7, hash = $8,
              registered_at = now(), revision = revision + 1
        WHERE ns = $1 AND type = $2 AND from_version = $3 AND to_version = $4`,
      values,
    );
    return "replaced";
  });
}
