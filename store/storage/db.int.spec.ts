// The store's pools against a real PostgreSQL: session settings the store insists on, connections
// that break while checked out, a pool that is full, queries whose caller leaves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailableError, QueryTimeLimitError } from "../errors";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { CONNECTION_WAIT_MS, cancellableQuery, planPools } from "./db";

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("db", { poolSize: 5 });
}, 60_000);
afterAll(async () => {
  await storage?.close();
});

const running = (marker: string) =>
  storage.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE $1`,
    [`%${marker}%`],
  );

describe("the store's database sessions", () => {
  it("commit with synchronous_commit on, whatever the database's default says", async () => {
    await storage.admin(`ALTER DATABASE ${await currentDatabase()} SET synchronous_commit = off`);
    try {
      // Connections made after the change: end the pools' idle ones first.
      await storage.terminateStoreBackends();
      for (const pool of [storage.db.reads, storage.db.lookups, storage.db.writes, storage.db.tail]) {
        const { rows } = await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
        expect(rows[0].synchronous_commit).toBe("on");
      }
      const other = await storage.admin<{ synchronous_commit: string }>("SHOW synchronous_commit");
      expect(other[0].synchronous_commit).toBe("off");
    } finally {
      await storage.admin(`ALTER DATABASE ${await currentDatabase()} RESET synchronous_commit`);
    }
  });

  it("name each connection by its role, so operators can tell them apart in pg_stat_activity", async () => {
    const client = await storage.db.writes.connect();
    try {
      const { rows } = await client.query<{ name: string }>("SELECT current_setting('application_name') AS name");
      expect(rows[0].name).toBe("factline-store writes");
    } finally {
      client.release();
    }
  });

  it("share the pool out so that every role keeps connections of its own", () => {
    expect(planPools(20)).toEqual({ writes: 3, tail: 1, lookups: 4, reads: 12 });
    expect(planPools(6)).toEqual({ writes: 3, tail: 1, lookups: 1, reads: 1 });
    expect(planPools(5)).toEqual({ writes: 2, tail: 1, lookups: 1, reads: 1 });
    expect(() => planPools(4)).toThrow(/at least 5/);
  });
});

describe("a connection that breaks", () => {
  it("while checked out and idle, is reported and never crashes the process", async () => {
    const client = await storage.db.reads.connect();
    const downs: Error[] = [];
    storage.health.once("down", (err: Error) => downs.push(err));
    await storage.terminateStoreBackends();
    await new Promise((r) => setTimeout(r, 300));
    // The error event found a listener (else this process would have died) and told the monitor.
    expect(downs[0]?.message).toMatch(/terminating connection/);
    client.release();
    // The monitor finds the server answering again by itself.
    await storage.health.waitUntilReachable(Date.now() + 5_000);
    expect(storage.health.reachable()).toBe(true);
    const { rows } = await storage.db.reads.query<{ one: number }>("SELECT 1 AS one");
    expect(rows[0].one).toBe(1);
  });
});

describe("a full pool", () => {
  it("fails a caller that waited too long with an UNAVAILABLE-class error naming the busy pool", async () => {
    // The reads pool of a 5-connection store has one connection: take it.
    const held = await storage.db.reads.connect();
    try {
      const started = Date.now();
      const error = await storage.db.reads.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).overloaded).toBe(true);
      expect((error as Error).message).toMatch(/every reads connection of this store instance stayed busy/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECTION_WAIT_MS - 100);
      // The other roles are not affected.
      expect((await storage.db.writes.query("SELECT 1")).rowCount).toBe(1);
    } finally {
      held.release();
    }
  }, 20_000);
});

describe("cancellableQuery", () => {
  it("cancels the query in the database when the caller gives up, and frees its connection at once", async () => {
    const abort = new AbortController();
    const query = cancellableQuery(storage.db.reads, "SELECT pg_sleep(30), 'cancel-marker-1'", [], {
      signal: abort.signal,
      what: "a test query",
    });
    await eventually(async () => (await running("cancel-marker-1"))[0].n === 1);
    abort.abort(new Error("the caller left"));
    await expect(query).rejects.toThrow("the caller left");
    await eventually(async () => (await running("cancel-marker-1"))[0].n === 0);
    // The single reads connection is free again.
    expect((await storage.db.reads.query("SELECT 1")).rowCount).toBe(1);
  });

  it("stops a query past its time limit with QueryTimeLimitError", async () => {
    const query = cancellableQuery(storage.db.reads, "SELECT pg_sleep(30), 'cancel-marker-2'", [], {
      timeoutMs: 300,
      what: "a test query",
    });
    await expect(query).rejects.toBeInstanceOf(QueryTimeLimitError);
    await eventually(async () => (await running("cancel-marker-2"))[0].n === 0);
  });
});

async function currentDatabase(): Promise<string> {
  const rows = await storage.admin<{ name: string }>("SELECT quote_ident(current_database()) AS name");
  return rows[0].name;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
