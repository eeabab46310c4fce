import { log } from "../log";
import type { Db } from "./db";

/** The database breaks something the store's guarantees rest on; the message says what and how to fix it. */
export class UnsafeDatabaseError extends Error {
  override name = "UnsafeDatabaseError";
}

// Commit levels that make a commit durable on this server before it is acknowledged (and before
// other sessions see it); "off" does neither.
const DURABLE_COMMIT = new Set(["on", "local", "remote_write", "remote_apply"]);
// The triggers of migrations/001: lock 128 for every writer, catalog upkeep and NOTIFY, immutability.
const REQUIRED_TRIGGERS = ["tr_fact_serialize_writers", "tr_fact_after_insert", "tr_fact_immutable"];

/**
 * Checks, before the store serves, what its ordering and durability rest on, and refuses to start
 * with the reason and the fix when something does not hold:
 * - its sessions commit durably (synchronous_commit is not off for them);
 * - fact_ser_seq hands out serials one at a time (CACHE 1): with a cache, each session draws from
 *   its own block of numbers, so serials would stop following commit order (store/subscriptions/tail.ts);
 * - the fact table's triggers are enabled and fire for the store's sessions (session_replication_role
 *   origin): they serialize writers from outside the store and keep facts immutable.
 */
export async function checkDatabase(db: Db): Promise<void> {
  const problems: string[] = [];
  const { rows: settings } = await db.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'session_replication_role', 'fsync')`,
  );
  const setting = (name: string) => settings.find((s) => s.name === name)?.setting;
  const commit = setting("synchronous_commit");
  if (commit !== undefined && !DURABLE_COMMIT.has(commit)) {
    problems.push(
      `the store's sessions run with synchronous_commit = ${commit} although the store asks for on (does a connection pooler drop startup options?): acknowledged facts could be lost in a crash; let the sessions set it, or set synchronous_commit = on for the store's role`,
    );
  }
  const role = setting("session_replication_role");
  if (role !== undefined && role !== "origin") {
    problems.push(
      `session_replication_role is ${role} for the store's sessions, so the fact table's triggers do not fire (no writer lock, no catalog, no notifications); reset it to origin for the store's database role`,
    );
  }

  const { rows: sequence } = await db.query<{ cache_size: bigint; increment_by: bigint }>(
    `SELECT cache_size, increment_by FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = 'fact_ser_seq'`,
  );
  if (sequence.length === 0) {
    problems.push(
      `the sequence fact_ser_seq is missing from schema ${await currentSchema(db)}; restore it from migrations/001_facts.sql`,
    );
  } else {
    const { cache_size: cache, increment_by: increment } = sequence[0];
    if (cache !== 1n) {
      problems.push(
        `the sequence fact_ser_seq has CACHE ${cache}: each session would hand out serials from its own block, so serial order would no longer be commit order and followers could skip facts; run ALTER SEQUENCE fact_ser_seq CACHE 1`,
      );
    }
    if (increment <= 0n) {
      problems.push(
        `the sequence fact_ser_seq has INCREMENT ${increment}: serials must increase; run ALTER SEQUENCE fact_ser_seq INCREMENT 1`,
      );
    }
  }

  const { rows: triggers } = await db.query<{ tgname: string; tgenabled: string }>(
    `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'fact'::regclass AND tgname = ANY($1)`,
    [REQUIRED_TRIGGERS],
  );
  for (const name of REQUIRED_TRIGGERS) {
    const trigger = triggers.find((t) => t.tgname === name);
    // O: fires in origin sessions (the default); A: always. D: disabled; R: replica sessions only.
    if (!trigger) problems.push(`the trigger ${name} on fact is missing; restore it from migrations/001_facts.sql`);
    else if (trigger.tgenabled !== "O" && trigger.tgenabled !== "A") {
      problems.push(`the trigger ${name} on fact is disabled; run ALTER TABLE fact ENABLE TRIGGER ${name}`);
    }
  }

  if (problems.length > 0) {
    throw new UnsafeDatabaseError(`refusing to start: ${problems.join("; and ")}`);
  }
  if (setting("fsync") === "off") {
    log.warn(
      "PostgreSQL runs with fsync = off: facts survive a crash of PostgreSQL or the store, but not of the machine",
    );
  }
}

async function currentSchema(db: Db): Promise<string> {
  const { rows } = await db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
  return rows[0].schema;
}
