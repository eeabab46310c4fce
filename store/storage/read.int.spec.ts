// FactReader against a real PostgreSQL: a catch-up that loses its connection mid-cursor resumes after
// the last fact it returned, also when it breaks in the last read of a range; a read past its time
// limit or whose consumer leaves is cancelled in the database.
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTimeLimitError } from "../errors";
import type { FactSpec } from "../facts/spec";
import { factSpec, openTestStorage, type TestStorage } from "../../tests/support/storage";
import { insertRequests } from "./append";
import { isConnectionLoss } from "./db-errors";
import { FactReader } from "./read";

const FACTS = 3_000;
let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("read", { outageMs: 10_000 });
  const client = await storage.db.writes.connect();
  try {
    for (let i = 0; i < FACTS; i += 500) {
      const facts = Array.from({ length: 500 }, (_, j) => ({
        header: { id: randomUUID(), ns: "read", type: "T", meta: {} },
        payload: Buffer.from(JSON.stringify({ n: i + j, pad: "x".repeat(2_000) })),
      }));
      await insertRequests(client, [{ facts }]);
    }
  } finally {
    client.release();
  }
}, 60_000);
afterAll(async () => {
  await storage?.close();
});

const spec = (extra: Partial<FactSpec> = {}): FactSpec => factSpec("read", extra);

describe("FactReader", () => {
  it("hands out rows as the bytes PostgreSQL sent: the facts as text reads them, megabytes and multi-byte text too", async () => {
    const payloads = [
      { text: "Zoë 😀 事実" },
      { blob: "é".repeat(3_000_000) }, // ~6 MB: one DataRow over many socket chunks
      { n: 1 },
      { blob: "x".repeat(70_000) },
    ];
    const client = await storage.db.writes.connect();
    try {
      await insertRequests(client, [
        {
          facts: payloads.map((p) => ({
            header: { id: randomUUID(), ns: "rows", type: "T", meta: { k: "ü" } },
            payload: Buffer.from(JSON.stringify(p)),
          })),
        },
      ]);
    } finally {
      client.release();
    }
    const expected = await storage.admin<{ ser: string; header: string; payload: string }>(
      `SELECT ser::text AS ser, header::text AS header, payload::text AS payload FROM fact WHERE header->>'ns' = 'rows' ORDER BY ser`,
    );
    const reader = new FactReader(storage.db.reads, [spec({ ns: "rows" })], 0n);
    const read: Array<{ ser: string; header: string; payload: string }> = [];
    try {
      for (let rows = await reader.nextRows(); rows.length > 0; rows = await reader.nextRows()) {
        for (const f of rows.toStoredFacts()) read.push({ ser: String(f.ser), header: f.header, payload: f.payload });
      }
    } finally {
      await reader.close();
    }
    expect(read).toHaveLength(payloads.length);
    expect(read).toEqual(expected);
    expect(read.map((f) => JSON.parse(f.payload) as unknown)).toEqual(payloads);
    // The connection went back to the pool in working order (its parser has the socket again).
    const { rows } = await storage.db.reads.query<{ n: number }>("SELECT 41 + 1 AS n");
    expect(rows).toEqual([{ n: 42 }]);
  }, 60_000);

  it("resumes after the last fact it returned when its connection is terminated mid-cursor", async () => {
    const reader = new FactReader(storage.db.reads, [spec()], 0n, undefined, { health: storage.health });
    const serials: bigint[] = [];
    try {
      serials.push(...(await reader.next()).map((f) => f.ser));
      expect(serials.length).toBeGreaterThan(0);
      expect(serials.length).toBeLessThan(FACTS);
      expect(await storage.terminateStoreBackends()).toBeGreaterThan(0);
      for (let facts = await reader.next(); facts.length > 0; facts = await reader.next()) {
        serials.push(...facts.map((f) => f.ser));
      }
    } finally {
      await reader.close();
    }
    expect(serials).toHaveLength(FACTS);
    expect(new Set(serials).size).toBe(FACTS);
    expect(serials).toEqual([...serials].sort((a, b) => (a < b ? -1 : 1)));
  });

  // The range's last read ends with CommandComplete, after which pg-cursor closes the portal and
  // waits for ReadyForQuery; a connection lost in between used to leave the read pending forever
  // (a gap read or the end of a catch-up: the subscription stalled, sending only keepalives).
  it.each([
    ["the server terminates the backend (pg_terminate_backend) while the portal's Close is on its way", "terminate"],
    ["the connection drops", "drop"],
  ] as const)("resumes when, right after the last read's CommandComplete, %s", async (_, how) => {
    const range = 20n;
    const broken = breakAfterCommandComplete(how);
    const reader = new FactReader(storage.db.reads, [spec()], 0n, range, { health: storage.health });
    const serials: bigint[] = [];
    try {
      for (;;) {
        const facts = await within(10_000, reader.next(), `the reader hung after ${serials.length} facts`);
        if (facts.length === 0) break;
        serials.push(...facts.map((f) => f.ser));
      }
    } finally {
      await reader.close();
    }
    expect(await broken).toBe(true);
    expect(serials).toEqual(Array.from({ length: Number(range) }, (_, i) => BigInt(i + 1)));
  });

  it("without a health monitor, a lost connection is the caller's error", async () => {
    const reader = new FactReader(storage.db.reads, [spec()], 0n);
    try {
      await reader.next();
      await storage.terminateStoreBackends();
      // Which error arrives first is the socket's race: the server's FATAL ("terminating connection
      // due to administrator command"), "Connection terminated unexpectedly" or ECONNRESET.
      const failure = await (async () => {
        for (;;) if ((await reader.next()).length === 0) return undefined;
      })().then(
        () => new Error("the reader ended without an error"),
        (err: unknown) => err,
      );
      expect(isConnectionLoss(failure), String(failure)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it("cancels a read that runs past its time limit, in the database", async () => {
    // The normal read's limit is generous: on a loaded machine even a small read can take 300 ms,
    // and that read only shows reading works; the 300 ms limit is the slow read's.
    const reader = new FactReader(storage.db.reads, [spec()], 0n, undefined, { readTimeoutMs: 10_000 });
    const slow = new FactReader(storage.db.reads, [spec()], 0n, undefined, { readTimeoutMs: 300 });
    try {
      // A normal read is far below its limit. (Its open cursor would hold off the lock below.)
      expect((await reader.next()).length).toBeGreaterThan(0);
      await reader.close();
      await expect(whileFactTableLocked(() => slow.next())).rejects.toBeInstanceOf(QueryTimeLimitError);
      await expect.poll(() => activeReads(), { timeout: 5_000 }).toBe(0);
    } finally {
      await reader.close();
      await slow.close();
    }
  });

  it("cancels a read in flight when its consumer leaves, and frees the connection at once", async () => {
    const abort = new AbortController();
    const reader = new FactReader(storage.db.reads, [spec()], 0n, undefined, { signal: abort.signal });
    const read = whileFactTableLocked(() => reader.next());
    await expect.poll(() => activeReads(), { timeout: 5_000 }).toBe(1);
    abort.abort(new Error("the client left"));
    await expect(read).rejects.toThrow();
    await reader.close();
    await expect.poll(() => activeReads(), { timeout: 5_000 }).toBe(0);
  });
});

/**
 * Breaks the next reads connection checked out right after PostgreSQL's CommandComplete for its
 * cursor: "terminate" holds the client's Close/Sync back and has the server terminate the backend
 * (it sends FATAL 57P01 and closes), "drop" destroys the socket. Resolves true once it struck.
 */
function breakAfterCommandComplete(how: "terminate" | "drop"): Promise<boolean> {
  return new Promise((resolve) => {
    storage.db.reads.once("acquire", (client: pg.PoolClient) => {
      const raw = client as unknown as { processID: number; connection: NodeJS.EventEmitter & { stream: Socket } };
      raw.connection.prependOnceListener("commandComplete", () => {
        const { stream } = raw.connection;
        if (how === "drop") {
          stream.destroy();
          resolve(true);
          return;
        }
        stream.cork();
        void storage
          .admin<{ ok: boolean }>("SELECT pg_terminate_backend($1) AS ok", [raw.processID])
          .then(([row]) => resolve(row.ok))
          .finally(() => stream.uncork());
      });
    });
  });
}

function within<T>(ms: number, work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Store reads still running in the database. */
async function activeReads(): Promise<number> {
  const rows = await storage.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'factline-store reads' AND state = 'active'`,
  );
  return rows[0].n;
}

/**
 * Runs `read` while another session holds an ACCESS EXCLUSIVE lock on the fact table: the cursor's
 * first read waits for it, i.e. it is a read running in the database for as long as the lock is held.
 */
async function whileFactTableLocked<T>(read: () => Promise<T>): Promise<T> {
  // An ACCESS EXCLUSIVE lock held by another session makes the cursor's first read wait on it:
  // a read that is "running" in the database as long as the lock is held.
  const pg = await import("pg");
  const locker = new pg.default.Client({ connectionString: storage.url });
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE fact IN ACCESS EXCLUSIVE MODE");
  try {
    return await read();
  } finally {
    await locker.query("ROLLBACK").catch(() => {});
    await locker.end();
  }
}
