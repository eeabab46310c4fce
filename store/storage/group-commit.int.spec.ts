// The group commit against a real PostgreSQL: its queue is bounded, a caller whose deadline passes
// while queued is answered and its facts are never sent, and a database that cannot be reached
// fails publishes at once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailableError, DuplicateFactError } from "../errors";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { createPool } from "./db";
import { Appender, GROUPS_IN_FLIGHT, MAX_QUEUED_FACTS } from "./group-commit";
import { CallAbort } from "../grpc/call-abort";
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

  // A publish hears of its caller giving up through an AbortSignal, or through the gRPC call's own
  // cancellation (store/grpc/call-abort.ts), which the store's publish handler passes instead.
  it.each([
    [
      "an AbortSignal",
      () => {
        const abort = new AbortController();
        return { cancel: abort.signal, giveUp: (reason: Error) => abort.abort(reason) };
      },
    ],
    [
      "the call's cancellation",
      () => {
        const call = new CallAbort();
        return { cancel: call, giveUp: (reason: Error) => call.abort(reason) };
      },
    ],
  ])(
    "answers a caller whose deadline passed while queued (%s), and never sends its facts",
    async (_, make) => {
      const appender = new Appender(storage.db.writes, () => {}, storage.health);
      const ns = `deadline-${randomUUID().slice(0, 8)}`;
      // Hold the writers' lock so the groups in flight wait in the database and the next one queues.
      const pg = await import("pg");
      const locker = new pg.default.Client({ connectionString: storage.url });
      await locker.connect();
      await locker.query("BEGIN; SELECT pg_advisory_xact_lock(128)");
      const inFlight: Promise<bigint[]>[] = [];
      for (let i = 0; i < GROUPS_IN_FLIGHT; i++) {
        inFlight.push(appender.publish({ facts: facts(1, ns) }));
        await new Promise((r) => setTimeout(r, 100));
      }
      const { cancel, giveUp } = make();
      const queued = appender.publish({ facts: facts(1, ns) }, cancel);
      giveUp(new Error("deadline passed"));
      await expect(queued).rejects.toThrow("deadline passed");
      // A caller that gave up before publishing is answered at once, with nothing queued.
      await expect(appender.publish({ facts: facts(1, ns) }, cancel)).rejects.toThrow("deadline passed");
      await locker.query("COMMIT");
      await locker.end();
      await Promise.all(inFlight);
      await appender.idle();
      expect(await storedIn(ns)).toBe(GROUPS_IN_FLIGHT);
    },
    30_000,
  );

  it("keeps two groups in PostgreSQL at once, holds back an id a group in flight carries, and commits in serial order", async () => {
    const appender = new Appender(storage.db.writes, () => {}, storage.health);
    const ns = `flight-${randomUUID().slice(0, 8)}`;
    const pg = await import("pg");
    const locker = new pg.default.Client({ connectionString: storage.url });
    await locker.connect();
    try {
      await locker.query("BEGIN; SELECT pg_advisory_xact_lock(128)");
      const [shared] = facts(1, ns);
      const first = appender.publish({ facts: [shared] });
      await new Promise((r) => setTimeout(r, 100));
      const other = appender.publish({ facts: facts(2, ns) });
      // The same id with another payload: waits until the first is committed, then loses to it.
      const sameId = appender
        .publish({ facts: [{ header: shared.header, payload: Buffer.from('{"other":1}') }] })
        .catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const waiting = await storage.admin<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%factline_append_joined%' AND wait_event_type = 'Lock'`,
      );
      expect(waiting[0].n).toBe(GROUPS_IN_FLIGHT);
      await locker.query("COMMIT");
      const [firstSerials, otherSerials] = await Promise.all([first, other]);
      expect(await sameId).toBeInstanceOf(DuplicateFactError);
      // Serials follow commit order whichever group took the lock first: no gaps, no overlap.
      const all = [...firstSerials, ...otherSerials].sort((a, b) => (a < b ? -1 : 1));
      expect(all[2] - all[0]).toBe(2n);
      expect(await storedIn(ns)).toBe(3);
    } finally {
      await locker.end();
    }
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
