// Two store instances on one database with followers on each: OperationsService on either lists
// every instance and subscription with correct positions; a follower held back by a client that
// stops reading shows a growing lag; ending a subscription ends the client's stream with the
// operator's status; a killed instance disappears once its heartbeat lapses.
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  OperationsService,
  SubscriptionMode,
  SubscriptionOrder,
  type Subscription,
} from "../../gen/factline/admin/v1/operations_pb.js";
import { createFactStoreClient, subscribe, subscriptionRequest, type FactStoreClient } from "../support/client.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import { startStore, type RunningStore } from "../support/store.js";

// Short beats keep the test short: figures at most 300 ms old, a killed instance gone after 1.5 s.
const HEARTBEAT_MS = 300;

let database: TestDatabase;
let a: RunningStore;
let b: RunningStore;
let opsA: Client<typeof OperationsService>;
let opsB: Client<typeof OperationsService>;

function factsClient(store: RunningStore): FactStoreClient {
  return createFactStoreClient(store.url);
}

beforeAll(async () => {
  database = await createTestDatabase(inject("pgAdminUrl"), "operations");
  const env = { FACTLINE_HEARTBEAT_MS: String(HEARTBEAT_MS) };
  [a, b] = await Promise.all([
    startStore({ databaseUrl: database.url, env }),
    startStore({ databaseUrl: database.url, env }),
  ]);
  opsA = createClient(OperationsService, createGrpcTransport({ baseUrl: a.url }));
  opsB = createClient(OperationsService, createGrpcTransport({ baseUrl: b.url }));
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
}, 60_000);

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).slice(0, 2_000);
}

const byClient = (list: Subscription[], clientId: string) => list.find((s) => s.clientId === clientId);

describe("OperationsService with two instances on one database", () => {
  it("lists both instances from either, each saying which one answered", async () => {
    const fromA = await until(
      () => opsA.listInstances({}),
      (r) => r.instances.length === 2,
      "both instances",
    );
    expect(fromA.instances.filter((i) => i.answering)).toHaveLength(1);
    const fromB = await opsB.listInstances({});
    expect(fromB.instances.map((i) => i.id).sort()).toEqual(fromA.instances.map((i) => i.id).sort());
    const answeringA = fromA.instances.find((i) => i.answering)!;
    const answeringB = fromB.instances.find((i) => i.answering)!;
    expect(answeringA.id).not.toBe(answeringB.id);
    expect(answeringA.grpcAddress).toBe(new URL(a.url).host);
    expect(answeringA.httpAddress).toBe(a.httpUrl);
    for (const i of fromA.instances) {
      expect(i).toMatchObject({ ready: true, heartbeatMs: HEARTBEAT_MS, pid: expect.any(Number) });
      expect(i.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(Number(fromA.nowMs - i.lastSeenMs)).toBeLessThan(5 * HEARTBEAT_MS + 1_000);
      expect(Number(i.startedMs)).toBeLessThanOrEqual(Number(fromA.nowMs));
    }
  });

  it("lists followers of both instances with their positions, from either instance", async () => {
    const [nsA, nsB] = [uniqueName("opsA"), uniqueName("opsB")];
    const followA = subscribe(
      factsClient(a),
      { specs: [{ ns: nsA, type: "T" }], continuous: true },
      {
        headers: { "fc-id": "follower-on-a" },
      },
    );
    const followB = subscribe(
      factsClient(b),
      { specs: [{ ns: nsB }], continuous: true },
      {
        headers: { "fc-id": "follower-on-b" },
      },
    );
    try {
      await factsClient(a).publish(factsMsg(Array.from({ length: 5 }, () => fact({ ns: nsA, type: "T" }))));
      await factsClient(b).publish(factsMsg(Array.from({ length: 3 }, () => fact({ ns: nsB }))));
      await followA.waitForFacts(5);
      await followB.waitForFacts(3);
      const lastA = followA.facts()[4].serial;
      const lastB = followB.facts()[2].serial;
      // Facts of other namespaces afterwards: both pass them by, and stay caught up.
      await factsClient(b).publish(factsMsg(Array.from({ length: 4 }, () => fact({ ns: uniqueName("noise") }))));
      const head = (await factsClient(a).latestSerial({})).serial;

      const listed = await until(
        () => opsB.listSubscriptions({}),
        (r) => {
          const [sa, sb] = [byClient(r.subscriptions, "follower-on-a"), byClient(r.subscriptions, "follower-on-b")];
          return sa?.position === head && sb?.position === head;
        },
        "both followers at the head",
      );
      const instances = await opsA.listInstances({});
      const idOfA = instances.instances.find((i) => i.answering)!.id;
      const sa = byClient(listed.subscriptions, "follower-on-a")!;
      const sb = byClient(listed.subscriptions, "follower-on-b")!;
      expect(sa).toMatchObject({
        instanceId: idOfA,
        account: "anonymous",
        mode: SubscriptionMode.FOLLOW,
        factsDelivered: 5n,
        lastDeliveredSerial: BigInt(lastA),
        caughtUp: true,
        lagFacts: 0n,
        lagMs: 0n,
        debugInfo: "req(conformance)",
      });
      expect(sa.specs).toHaveLength(1);
      expect(sa.specs[0]).toMatchObject({ ns: nsA, type: "T", version: 0 });
      expect(sa.clientAddress).toMatch(/127\.0\.0\.1/);
      expect(Number(sa.lastDeliveredMs)).toBeGreaterThan(Date.now() - 60_000);
      expect(sb).toMatchObject({ factsDelivered: 3n, lastDeliveredSerial: BigInt(lastB), lagFacts: 0n });
      expect(sb.instanceId).not.toBe(idOfA);
      expect(listed.headSerial).toBe(head);

      // Filters and the instances' counts.
      const onlyA = await opsA.listSubscriptions({ instanceId: idOfA, ns: nsA });
      expect(onlyA.subscriptions.map((s) => s.clientId)).toEqual(["follower-on-a"]);
      expect(onlyA.total).toBe(1);
      expect((await opsA.listSubscriptions({ clientId: "follower-on-b" })).subscriptions.map((s) => s.id)).toEqual([
        sb.id,
      ]);
      expect((await opsA.listSubscriptions({ mode: SubscriptionMode.CATCHUP, ns: nsA })).total).toBe(0);
      const one = await opsA.listSubscriptions({ id: sb.id.toUpperCase() });
      expect(one.subscriptions.map((s) => s.id)).toEqual([sb.id]);
      expect((await opsA.listSubscriptions({ id: crypto.randomUUID() })).total).toBe(0);
      const byDelivered = await opsA.listSubscriptions({ orderBy: SubscriptionOrder.DELIVERED, ascending: true });
      const delivered = byDelivered.subscriptions.map((s) => s.factsDelivered);
      expect(delivered).toEqual([...delivered].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    } finally {
      followA.cancel();
      followB.cancel();
      await Promise.all([followA.ended, followB.ended]);
    }
    await until(
      () => opsA.listSubscriptions({}),
      (r) => !byClient(r.subscriptions, "follower-on-a") && !byClient(r.subscriptions, "follower-on-b"),
      "ended subscriptions to leave the list",
    );
  });

  it("shows a growing lag for a follower whose client stops reading, and ending it ends its stream", async () => {
    const ns = uniqueName("slow");
    const client = factsClient(b);
    const abort = new AbortController();
    const stream = client.subscribe(subscriptionRequest({ specs: [{ ns }], continuous: true }), {
      signal: abort.signal,
      headers: { "fc-id": "slow-reader" },
    });
    const reader = stream[Symbol.asyncIterator]();
    await reader.next(); // Info: the call is open; from here on the client reads nothing.
    const publishBatch = () =>
      factsClient(a).publish(
        factsMsg(Array.from({ length: 100 }, (_, i) => fact({ ns, payload: { i, pad: "x".repeat(8_000) } }))),
      );
    try {
      // Several megabytes: far beyond what HTTP/2 windows and socket buffers hold for a client.
      for (let i = 0; i < 8; i++) await publishBatch();
      const first = await until(
        () => opsA.listSubscriptions({ clientId: "slow-reader" }),
        (r) => (r.subscriptions[0]?.lagFacts ?? 0n) > 0n,
        "the slow reader to lag",
      );
      const lag1 = first.subscriptions[0].lagFacts;
      for (let i = 0; i < 3; i++) await publishBatch();
      const second = await until(
        () => opsA.listSubscriptions({ clientId: "slow-reader" }),
        (r) => (r.subscriptions[0]?.lagFacts ?? 0n) >= lag1 + 300n,
        "the lag to grow",
      );
      const slow = second.subscriptions[0];
      expect(slow.caughtUp).toBe(true);
      expect(Number(slow.lagMs)).toBeGreaterThan(0);
      const worst = (await opsA.listSubscriptions({ orderBy: SubscriptionOrder.LAG })).subscriptions[0];
      expect(worst.id).toBe(slow.id);
      const metrics = await (await fetch(`${b.httpUrl}/metrics`)).text();
      expect(Number(/^factline_follower_lag_max_facts (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

      const ended = await opsA.endSubscription({ id: slow.id, reason: "stuck consumer" });
      expect(ended.instanceId).toBe(slow.instanceId);
      // The client gets the operator's status after what it had not read, or is cut off when it
      // cannot take it; either way its stream is over.
      const started = Date.now();
      let error: ConnectError | undefined;
      try {
        for (;;) if ((await reader.next()).done) break;
      } catch (e) {
        error = ConnectError.from(e);
      }
      expect(error).toBeDefined();
      expect(Date.now() - started).toBeLessThan(15_000);
      await until(
        () => opsA.listSubscriptions({ clientId: "slow-reader" }),
        (r) => r.subscriptions.length === 0,
        "the ended subscription to leave the list",
      );
    } finally {
      abort.abort();
    }
  });

  it("ends a reading follower on the other instance with CANCELLED and the operator's words", async () => {
    const ns = uniqueName("end");
    const follow = subscribe(factsClient(a), { specs: [{ ns }], continuous: true }, { headers: { "fc-id": "to-end" } });
    try {
      const listed = await until(
        () => opsB.listSubscriptions({ clientId: "to-end" }),
        (r) => r.subscriptions.length === 1,
        "the follower to be listed",
      );
      await opsB.endSubscription({ id: listed.subscriptions[0].id, reason: "moving it to a new consumer group" });
      const end = await follow.ended;
      expect(end.error?.code).toBe(Code.Canceled);
      expect(end.error?.rawMessage).toBe("subscription ended by anonymous: moving it to a new consumer group");
    } finally {
      follow.cancel();
    }
    const reconnecting = subscribe(
      factsClient(a),
      { specs: [{ ns }], continuous: true },
      {
        headers: { "fc-id": "to-restart" },
      },
    );
    const listed = await until(
      () => opsA.listSubscriptions({ clientId: "to-restart" }),
      (r) => r.subscriptions.length === 1,
      "the second follower",
    );
    await opsA.endSubscription({ id: listed.subscriptions[0].id, letReconnect: true });
    const end = await reconnecting.ended;
    expect(end.error?.code).toBe(Code.Aborted);
    expect(end.error?.rawMessage).toBe("subscription ended by anonymous");
  });

  it("refuses bad requests, saying what to fix", async () => {
    await expect(opsA.endSubscription({ id: "not-a-uuid" })).rejects.toThrow(/id must be a subscription id \(a UUID\)/);
    await expect(opsA.endSubscription({ id: crypto.randomUUID() })).rejects.toMatchObject({ code: Code.NotFound });
    await expect(opsA.endSubscription({ id: crypto.randomUUID(), reason: "x".repeat(501) })).rejects.toThrow(
      /reason must be at most 500 characters, got 501/,
    );
    await expect(opsA.endSubscription({ id: crypto.randomUUID(), reason: "two\nlines" })).rejects.toThrow(
      /one line of text/,
    );
    await expect(opsA.listSubscriptions({ limit: 1001 })).rejects.toThrow(/limit must be from 1 to 1000, got 1001/);
    await expect(opsA.listSubscriptions({ instanceId: "x" })).rejects.toThrow(/instance_id must be an instance id/);
    await expect(opsA.listSubscriptions({ id: "x" })).rejects.toThrow(
      /id must be a subscription id \(a UUID\), got "x"/,
    );
    await expect(opsA.listSubscriptions({ orderBy: 99 as SubscriptionOrder })).rejects.toThrow(/order_by 99/);
  });

  it("drops an instance that was killed once its heartbeat lapses", async () => {
    const env = { FACTLINE_HEARTBEAT_MS: String(HEARTBEAT_MS) };
    const doomed = await startStore({ databaseUrl: database.url, env });
    const follow = subscribe(
      factsClient(doomed),
      { specs: [{ ns: uniqueName("doomed") }], continuous: true },
      {
        headers: { "fc-id": "on-doomed" },
      },
    );
    await until(
      () => opsA.listSubscriptions({ clientId: "on-doomed" }),
      (r) => r.subscriptions.length === 1,
      "the doomed instance's follower",
    );
    const before = await opsA.listInstances({});
    expect(before.instances).toHaveLength(3);
    doomed.kill();
    const killedAt = Date.now();
    await follow.ended;
    const after = await until(
      () => opsA.listInstances({}),
      (r) => r.instances.length === 2,
      "the killed instance to disappear",
    );
    const ms = Date.now() - killedAt;
    expect(ms).toBeLessThan(5 * HEARTBEAT_MS + 5_000);
    expect(after.instances.some((i) => i.answering)).toBe(true);
    expect((await opsA.listSubscriptions({ clientId: "on-doomed" })).total).toBe(0);
    console.log(`a killed instance left the registry ${ms} ms after the kill (heartbeat ${HEARTBEAT_MS} ms)`);
  });
});
