// The group commit against a real PostgreSQL: its queue is bounded, a caller whose deadline passes
// while queued is answered and its facts are never sent, and a database that cannot be reached
// fails publishes at once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../errors";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { createPool } from "./db";
import { Appender, MAX_QUEUED_FACTS } from "./group-commit";
import { DatabaseHealth } from "./health";

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("group_commit");
}, 60_000);
afterAll(async () => {
  await storage?.close();
});

const facts = (n: number, ns = "gc") =>
  Array.from({ length: n }, () => ({
    header: { id: randomUUID(), ns, type: "T", meta: {} },
    payload: Buffer.from("{}"),
  }));

async function storedIn(ns: string): Promise<number> {
  const rows = await storage.admin<{ n: number }>(`SELECT count(*)::int AS n FROM fact WHERE header @> $1::jsonb`, [
    JSON.stringify({ ns }),
  ]);
  return rows[0].n;
}

describe("Appender", () => {
  it("refuses publishes beyond its queue bound at once, and commits every publish it accepted", async () => {
    const appender = new Appender(storage.db.writes, () => {}, storage.health);
    const ns = `bound-${randomUUID().slice(0, 8)}`;
    // Enough 1,000-fact publishes at once to overfill the queue behind the first group.
    const calls = Array.from({ length: Math.ceil(MAX_QUEUED_FACTS / 1_000) + 6 }, () =>
      appender.publish({ facts: facts(1_000, ns) }).then(
        (serials) => serials.length,
        (e: unknown) => e as Error,
      ),
    );
    const results = await Promise.all(calls);
    const refused = results.filter((r): r is Error => r instanceof Error);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toBeInstanceOf(DatabaseUnavailableError);
      expect(e.message).toMatch(/waiting to be committed; nothing was published, retry shortly/);
    }
    const accepted = results.filter((r) => typeof r === "number").length;
    expect(await storedIn(ns)).toBe(accepted * 1_000);
  });

  it("answers a caller whose deadline passed while queued, and never sends its facts", async () => {
    const appender = new Appender(storage.db.writes, () => {}, storage.health);
    const ns = `deadline-${randomUUID().slice(0, 8)}`;
    // Hold the writers' lock so the first group waits in the database and the next one queues.
    const pg = await import("pg");
    const locker = new pg.default.Client({ connectionString: storage.url });
    await locker.connect();
    await locker.query("BEGIN; SELECT pg_advisory_xact_lock(128)");
    const first = appender.publish({ facts: facts(1, ns) });
    await new Promise((r) => setTimeout(r, 100));
    const abort = new AbortController();
    const queued = appender.publish({ facts: facts(1, ns) }, abort.signal);
    abort.abort(new Error("deadline passed"));
    await expect(queued).rejects.toThrow("deadline passed");
    await locker.query("COMMIT");
    await locker.end();
    await first;
    await appender.idle();
    expect(await storedIn(ns)).toBe(1);
  });

  it("fails every publish at once with UNAVAILABLE when PostgreSQL cannot be reached", async () => {
    // A pool pointed at a port nobody listens on: connection refused.
    const unreachable = new URL(storage.url);
    unreachable.port = "1";
    const health = new DatabaseHealth(unreachable.toString(), 1_000);
    const pool = createPool(unreachable.toString(), "writes", 2, health);
    const appender = new Appender(pool, () => {}, health);
    try {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => appender.publish({ facts: facts(1) }).catch((e: unknown) => e)),
      );
      expect(Date.now() - started).toBeLessThan(2_000);
      for (const e of results) {
        expect(e).toBeInstanceOf(DatabaseUnavailableError);
        expect((e as Error).message).toMatch(/cannot reach its database, nothing was published/);
      }
      expect(health.reachable()).toBe(false);
    } finally {
      health.stop();
      await pool.end();
    }
  });
});
