import { randomUUID } from "node:crypto";
import type { FactSpec } from "../facts/spec";
import { beginWriting, insertRequests, translateInsertError, type PublishRequest, type RegistryGuard } from "./append";
import type { Db } from "./db";
import { specsPredicate } from "./spec-sql";

// Optimistic locking as FactCast does it: a token stores {specs, serialOfLastMatchingFact}; a
// conditional publish succeeds only if no fact matching those specs was written after that serial.

interface TokenState {
  specs: FactSpec[];
  serialOfLastMatchingFact: number;
}

/** A token capturing the newest serial matching `specs` (stateForSpecsJson). */
export async function stateFor(db: Db, specs: FactSpec[]): Promise<string> {
  const params: unknown[] = [];
  const where = specsPredicate(specs, params);
  const { rows } = await db.query<{ ser: bigint | null }>(
    `SELECT ser FROM fact WHERE ${where} ORDER BY ser DESC LIMIT 1`,
    params,
  );
  return storeToken(db, { specs, serialOfLastMatchingFact: Number(rows[0]?.ser ?? 0n) });
}

/**
 * The "fast" token (currentStateForSpecsJson): the newest serial of the whole log. Equivalent for
 * the later check — nothing matching can be newer than the newest fact — and needs no spec query.
 */
export async function currentStateFor(db: Db, specs: FactSpec[]): Promise<string> {
  const { rows } = await db.query<{ ser: bigint | null }>(`SELECT max(ser) AS ser FROM fact`);
  return storeToken(db, { specs, serialOfLastMatchingFact: Number(rows[0].ser ?? 0n) });
}

async function storeToken(db: Db, state: TokenState): Promise<string> {
  const token = randomUUID();
  await db.query(`INSERT INTO tokenstore (token, state) VALUES ($1, $2)`, [token, JSON.stringify(state)]);
  return token;
}

export async function invalidate(db: Db, token: string): Promise<void> {
  await db.query(`DELETE FROM tokenstore WHERE token = $1`, [token]);
}

/**
 * Publishes `request` only if nothing matching the token's specs was written since the token was
 * taken. The token is used up either way. Holding the writers' lock across check and insert makes
 * the check and the write one atomic step for every writer of the database.
 */
export async function publishIfUnchanged(
  db: Db,
  token: string,
  request: PublishRequest,
  registry?: RegistryGuard,
): Promise<boolean> {
  const client = await db.connect();
  try {
    await beginWriting(client);
    const { rows } = await client.query<{ state: TokenState }>(
      `DELETE FROM tokenstore WHERE token = $1 RETURNING state`,
      [token],
    );
    let published = false;
    if (rows.length > 0) {
      const { specs, serialOfLastMatchingFact } = rows[0].state;
      const params: unknown[] = [serialOfLastMatchingFact];
      const where = specsPredicate(specs, params);
      const changed = await client.query(`SELECT 1 FROM fact WHERE ser > $1 AND (${where}) LIMIT 1`, params);
      if (changed.rowCount === 0) {
        const [outcome] = await insertRequests(client, [request], registry);
        if ("error" in outcome.result) throw outcome.result.error;
        published = true;
      }
    }
    await client.query("COMMIT");
    return published;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw translateInsertError(err);
  } finally {
    client.release();
  }
}

// FactCast removes tokens older than about two months; a token is meant to live for one attempt.
const TOKEN_MAX_AGE = "60 days";

export async function deleteExpiredTokens(db: Db): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM tokenstore WHERE created_at < now() - $1::interval`, [TOKEN_MAX_AGE]);
  return rowCount ?? 0;
}
