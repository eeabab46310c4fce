import { randomUUID } from "node:crypto";
import type { FactSpec } from "../facts/spec";
import {
  beginWriting,
  insertRequests,
  publishNotStored,
  publishOutcomeUnknown,
  republishedSerials,
  resolvingUnknownOutcome,
  translateInsertError,
  type PublishRequest,
  type RegistryGuard,
} from "./append";
import type { Db, DbClient } from "./db";
import { isConnectionLoss } from "./db-errors";
import type { DatabaseHealth } from "./health";
import { specsPredicate } from "./spec-sql";

// Optimistic locking as FactCast does it: a token stores the specs and a serial; a conditional
// publish succeeds only if no fact matching those specs was written after that serial.
//
// The serial is the newest of the whole log when the token is taken, for both stateFor forms.
// FactCast stores the newest *matching* serial instead; for the check the two are equivalent (no
// fact matching the specs lies between them, by definition), but finding the newest match is a
// trap at scale: `ORDER BY ser DESC LIMIT 1` over a spec that matched long ago walks the primary
// key backwards through millions of facts (measured: 30 s per token at 10M facts), and the check
// `ser > <that old serial>` then spans everything since. From the log's head both stay small.

interface TokenState {
  specs: FactSpec[];
  /** The log's newest serial when the token was taken. */
  serial?: number;
  /** Tokens taken before `serial` existed (and FactCast's own) carry the newest matching serial. */
  serialOfLastMatchingFact?: number;
}

/** A token for `specs` (stateForSpecsJson, and the deprecated aggregate form). */
export async function stateFor(db: Db, specs: FactSpec[]): Promise<string> {
  const { rows } = await db.query<{ ser: bigint | null }>(`SELECT max(ser) AS ser FROM fact`);
  return storeToken(db, { specs, serial: Number(rows[0].ser ?? 0n) });
}

/** The "fast" token (currentStateForSpecsJson): FactCast's name for what stateFor does here too. */
export const currentStateFor = stateFor;

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
 *
 * `db` is the writers' pool. A lost connection before COMMIT means nothing was published
 * (UNAVAILABLE); during COMMIT the outcome is unknown, and the store finds it out by running the
 * publish again once PostgreSQL answers: the token is gone then, and the facts being stored
 * identically means that it was this publish that used it.
 */
export async function publishIfUnchanged(
  db: Db,
  health: DatabaseHealth,
  token: string,
  request: PublishRequest,
  registry?: RegistryGuard,
): Promise<boolean> {
  return resolvingUnknownOutcome(health, () => attemptIfUnchanged(db, health, token, request, registry));
}

async function attemptIfUnchanged(
  db: Db,
  health: DatabaseHealth,
  token: string,
  request: PublishRequest,
  registry?: RegistryGuard,
): Promise<boolean> {
  let client: DbClient;
  try {
    client = await db.connect();
  } catch (err) {
    throw isConnectionLoss(err) ? publishNotStored(err) : err;
  }
  let committing = false;
  let broken: Error | undefined;
  try {
    await beginWriting(client);
    const { rows } = await client.query<{ state: TokenState }>(
      `DELETE FROM tokenstore WHERE token = $1 RETURNING state`,
      [token],
    );
    let published = false;
    if (rows.length === 0) {
      // Used up (or never issued). By this very publish, committed just before its answer was lost?
      published = (await republishedSerials(client, request)) !== undefined;
    } else {
      const { specs, serial, serialOfLastMatchingFact } = rows[0].state;
      const params: unknown[] = [serial ?? serialOfLastMatchingFact ?? 0];
      const where = specsPredicate(specs, params);
      const changed = await client.query(`SELECT 1 FROM fact WHERE ser > $1 AND (${where}) LIMIT 1`, params);
      if (changed.rowCount === 0) {
        const [outcome] = await insertRequests(client, [request], registry);
        if ("error" in outcome.result) throw outcome.result.error;
        published = true;
      }
    }
    committing = true;
    await client.query("COMMIT");
    return published;
  } catch (err) {
    if (isConnectionLoss(err)) {
      broken = err as Error;
      health.lost(broken, "committing a conditional publish");
      throw committing ? publishOutcomeUnknown(err) : publishNotStored(err);
    }
    await client.query("ROLLBACK").catch(() => {});
    throw translateInsertError(err);
  } finally {
    client.release(broken);
  }
}

// FactCast removes tokens older than about two months; a token is meant to live for one attempt.
const TOKEN_MAX_AGE = "60 days";

export async function deleteExpiredTokens(db: Db): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM tokenstore WHERE created_at < now() - $1::interval`, [
    TOKEN_MAX_AGE,
  ]);
  return rowCount ?? 0;
}
