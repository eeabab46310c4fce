// What a subscription holds in the store, and that it lets go: a cancelled subscription returns its
// PostgreSQL connection, and a client that stops reading a big catch-up does not make the store
// buffer the result (back-pressure reaches the database cursor).
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFactStoreClient,
  MSG_Notification_Type,
  notificationFacts,
  subscriptionRequest,
  type FactStoreClient,
} from "../support/client.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";

// A second instance on the same database whose catch-up cursors give up their connection after
// 1 s without a read (the default is 15 s), to test that release without a slow test.
const SHORT_IDLE_MS = 1_000;

let fx: StoreFixture;
let impatient: RunningStore;
let impatientClient: FactStoreClient;
let admin: pg.Client;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("resources");
  impatient = await startStore({
    databaseUrl: fx.databaseUrl,
    env: { FACTLINE_CATCHUP_IDLE_MS: String(SHORT_IDLE_MS) },
  });
  impatientClient = createFactStoreClient(impatient.url);
  admin = new pg.Client({ connectionString: fx.databaseUrl });
  await admin.connect();
}, 90_000);
afterAll(async () => {
  await admin?.end();
  await impatient?.stop();
  await fx?.close();
}, 30_000);

/** Opens a catch-up over `ns` and reads until the first facts arrived (the cursor is open then). */
async function stalledCatchUp(client: FactStoreClient, ns: string) {
  const abort = new AbortController();
  const iterator = client
    .subscribe(subscriptionRequest({ specs: [{ ns }], continuous: false }), { signal: abort.signal })
    [Symbol.asyncIterator]();
  const received = [];
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) throw new Error("catch-up ended before any facts");
    received.push(...notificationFacts(value));
    if (value.type === MSG_Notification_Type.Facts) break;
  }
  const cancel = async () => {
    abort.abort();
    await iterator.return?.().catch(() => undefined);
  };
  return { iterator, received, cancel };
}

/** Store connections that are doing something: running a query or holding a cursor's transaction. */
async function busyStoreConnections(): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'factline-store%' AND state <> 'idle'`,
  );
  return Number(rows[0].n);
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe("resources held by subscriptions", () => {
  const ns = uniqueName("big");
  // 6,400 facts of 25 KB: a 160 MB result, far more than the store may hold for one client.
  const FACTS = 6_400;
  const PAYLOAD = JSON.stringify({ blob: "x".repeat(25_000) });

  beforeAll(async () => {
    for (let i = 0; i < FACTS; i += 100) {
      await fx.client.publish(
        factsMsg(Array.from({ length: 100 }, () => fact({ ns, type: "Blob", payload: PAYLOAD }))),
      );
    }
  }, 120_000);

  it("a client that stops reading a 160 MB catch-up does not grow the store's memory by the result", async () => {
    const pid = fx.store.process.pid!;
    const before = rssBytes(pid);
    const abort = new AbortController();
    const stream = fx.client.subscribe(subscriptionRequest({ specs: [{ ns }], continuous: false }), {
      signal: abort.signal,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the first notification: the store has started streaming
    await new Promise((r) => setTimeout(r, 3_000)); // the client stalls
    const during = rssBytes(pid);
    abort.abort();
    await iterator.return?.().catch(() => undefined);
    // Without back-pressure the store reads all 160 MB (and encodes it) while the client stalls: it
    // grew by more than the result in that case. Bounded reading grows by a few read chunks plus
    // garbage V8 has not collected yet (30-50 MB measured under load), so the bound is half the result.
    expect(during - before).toBeLessThan(80 * 1024 * 1024);
  }, 30_000);

  it("cancelling catch-ups in the middle frees their database connections", async () => {
    const stalled = await Promise.all(Array.from({ length: 8 }, () => stalledCatchUp(fx.client, ns)));
    try {
      // Each stalled catch-up holds its cursor's connection (the default idle limit is 15 s)...
      expect(await busyStoreConnections()).toBeGreaterThanOrEqual(8);
    } finally {
      await Promise.all(stalled.map((s) => s.cancel()));
    }
    // ...and gives it back once cancelled.
    await eventually(async () => (await busyStoreConnections()) === 0, 5_000, "connections to be released");
  }, 30_000);

  it("a stalled catch-up gives its connection back after the idle limit, then resumes with every fact once", async () => {
    const catchUp = await stalledCatchUp(impatientClient, ns);
    try {
      await new Promise((r) => setTimeout(r, SHORT_IDLE_MS * 2.5));
      expect(await busyStoreConnections()).toBe(0);
      const received = [...catchUp.received];
      for (;;) {
        const { value, done } = await catchUp.iterator.next();
        if (done) break;
        received.push(...notificationFacts(value));
      }
      const serials = received.map((f) => f.serial);
      expect(serials.length).toBe(FACTS);
      expect(new Set(serials).size).toBe(FACTS);
      expect(serials).toEqual([...serials].sort((a, b) => a - b));
    } finally {
      await catchUp.cancel();
    }
  }, 60_000);

  it("cancelling follow subscriptions leaves no connection busy and the store keeps serving", async () => {
    const aborts = Array.from({ length: 20 }, () => new AbortController());
    const iterators = aborts.map((a) =>
      fx.client
        .subscribe(subscriptionRequest({ specs: [{ ns: uniqueName("idle") }], continuous: true }), { signal: a.signal })
        [Symbol.asyncIterator](),
    );
    await Promise.all(iterators.map((it) => it.next())); // Catchup: they are live now
    for (const a of aborts) a.abort();
    await Promise.all(iterators.map((it) => it.return?.().catch(() => undefined)));
    await eventually(async () => (await busyStoreConnections()) === 0, 5_000, "connections to be released");
    const latest = await fx.client.latestSerial({});
    expect(latest.serial).toBeGreaterThanOrEqual(BigInt(FACTS));
  }, 30_000);
});
