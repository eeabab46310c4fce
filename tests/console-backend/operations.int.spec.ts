// The console's OperationsService against real stores (README "Instances and subscriptions"): two
// factline instances on one database with followers on each, listed through the console backend
// from either instance with their positions, specs and lag; a follower whose client stops reading
// lags more at every look; ending one from the console ends the client's stream in the operator's
// words. The access-file, plain-FactCast and caller cases are in operations-access.int.spec.ts.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SubscriptionMode, SubscriptionOrder } from "../../gen/factline/admin/v1/operations_pb";
import { createStoreClient } from "../../factcast/client";
import { createUpstream } from "../../lib/backend/upstream/upstream";
import { subscribe, subscriptionRequest, type Subscription } from "../support/client";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { fact, factsMsg, uniqueName } from "../support/facts";
import { startStore, type RunningStore } from "../support/store";
import { consoleAs, ENV, HEARTBEAT_MS, refusal, until, type ConsoleAs } from "./operations-support";

describe("two factline instances on one database, through the console backend", () => {
  let database: TestDatabase;
  let a: RunningStore;
  let b: RunningStore;
  let viaA: ConsoleAs;
  let viaB: ConsoleAs;
  const opened: Subscription[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject("pgAdminUrl"), "console_operations");
    [a, b] = await Promise.all([
      startStore({ databaseUrl: database.url, env: ENV }),
      startStore({ databaseUrl: database.url, env: ENV }),
    ]);
    viaA = consoleAs(createUpstream({ url: a.url }));
    viaB = consoleAs(createUpstream({ url: b.url }));
  }, 120_000);

  afterAll(async () => {
    for (const s of opened) s.cancel();
    viaA?.upstream.close();
    viaB?.upstream.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  }, 60_000);

  const follow = (store: RunningStore, clientId: string, input: Parameters<typeof subscribe>[1]) => {
    const s = subscribe(createStoreClient({ url: store.url }).facts, input, { headers: { "fc-id": clientId } });
    opened.push(s);
    return s;
  };

  it("lists both instances from either one, and everyone may end subscriptions in open mode", async () => {
    const listed = await until(
      () => viaA.ops.listInstances({}),
      (r) => r.answer?.instances.length === 2,
      "both instances",
    );
    expect(listed.reported).toBe(true);
    const fromB = await viaB.ops.listInstances({});
    expect(fromB.answer!.instances.map((i) => i.id).sort()).toEqual(listed.answer!.instances.map((i) => i.id).sort());
    expect(listed.answer!.instances.filter((i) => i.answering)).toHaveLength(1);
    for (const i of listed.answer!.instances) {
      expect(i).toMatchObject({ ready: true, heartbeatMs: HEARTBEAT_MS });
      expect(i.version).toMatch(/^\d+\.\d+\.\d+/);
    }
    // The console offers the end control from this flag: open mode lets everyone operate.
    expect((await viaA.access.getAccess({})).access?.operate).toBe(true);
  });

  it("lists the followers of both instances with their specs and positions", async () => {
    const [nsA, nsB] = [uniqueName("console-ops-a"), uniqueName("console-ops-b")];
    const agg = crypto.randomUUID();
    const onA = follow(a, "orders-projection", {
      specs: [{ ns: nsA, type: "OrderPlaced", version: 2, meta: { tenant: "acme" }, aggIds: [agg] }],
      continuous: true,
    });
    const onB = follow(b, "billing-projection", {
      specs: [{ ns: nsB }, { ns: nsA, type: "Refund" }],
      continuous: true,
    });
    const publisher = createStoreClient({ url: a.url }).facts;
    await publisher.publish(
      factsMsg(
        Array.from({ length: 3 }, () =>
          fact({ ns: nsA, type: "OrderPlaced", version: 2, meta: { tenant: "acme" }, aggIds: [agg] }),
        ),
      ),
    );
    await publisher.publish(factsMsg(Array.from({ length: 2 }, () => fact({ ns: nsB, type: "Invoice" }))));
    await onA.waitForFacts(3);
    await onB.waitForFacts(2);
    const head = BigInt((await publisher.latestSerial({})).serial);

    const listed = await until(
      () => viaB.ops.listSubscriptions({ orderBy: SubscriptionOrder.CLIENT, ascending: true }),
      (r) => {
        const subs = r.answer?.subscriptions.filter((s) => s.clientId.endsWith("-projection")) ?? [];
        return subs.length === 2 && subs.every((s) => s.position === head);
      },
      "both followers at the head",
    );
    expect(listed.reported).toBe(true);
    const [billing, orders] = listed.answer!.subscriptions.filter((s) => s.clientId.endsWith("-projection"));
    expect(billing.clientId).toBe("billing-projection");
    expect(orders).toMatchObject({
      mode: SubscriptionMode.FOLLOW,
      account: "anonymous",
      factsDelivered: 3n,
      lastDeliveredSerial: BigInt(onA.facts()[2].serial),
      caughtUp: true,
      lagFacts: 0n,
      debugInfo: "req(conformance)",
    });
    expect(orders.specs[0]).toMatchObject({ ns: nsA, type: "OrderPlaced", version: 2, aggIds: [agg] });
    expect(orders.specs[0].meta).toEqual({ tenant: "acme" });
    expect(billing.specs.map((s) => s.ns)).toEqual([nsB, nsA]);
    expect(billing).toMatchObject({ factsDelivered: 2n, lastDeliveredSerial: BigInt(onB.facts()[1].serial) });
    const instances = (await viaA.ops.listInstances({})).answer!.instances;
    const idOfA = instances.find((i) => i.answering)!.id;
    expect(orders.instanceId).toBe(idOfA);
    expect(billing.instanceId).not.toBe(idOfA);

    // What the pages ask: one by id, filtered by instance and namespace, the total beside a page.
    const one = await viaA.ops.listSubscriptions({ id: orders.id });
    expect(one.answer!.subscriptions.map((s) => s.id)).toEqual([orders.id]);
    const onlyA = await viaA.ops.listSubscriptions({ instanceId: idOfA, ns: nsA });
    expect(onlyA.answer!.subscriptions.map((s) => s.clientId)).toEqual(["orders-projection"]);
    const reading = await viaA.ops.listSubscriptions({ ns: nsA, limit: 1 });
    expect(reading.answer!.total).toBe(2);
    expect(reading.answer!.subscriptions).toHaveLength(1);
  });

  it("shows a growing lag for a follower whose client stops reading, and ending it ends its stream", async () => {
    const ns = uniqueName("console-slow");
    const abort = new AbortController();
    const stream = createStoreClient({ url: b.url }).facts.subscribe(
      subscriptionRequest({ specs: [{ ns }], continuous: true }),
      { signal: abort.signal, headers: { "fc-id": "slow-consumer" } },
    );
    const reader = stream[Symbol.asyncIterator]();
    await reader.next(); // the call is open; from here on the client reads nothing
    const publisher = createStoreClient({ url: a.url }).facts;
    // Several megabytes each time: far beyond what HTTP/2 windows and socket buffers hold.
    const batch = () =>
      publisher.publish(
        factsMsg(Array.from({ length: 100 }, (_, i) => fact({ ns, payload: { i, pad: "x".repeat(8_000) } }))),
      );
    try {
      for (let i = 0; i < 8; i++) await batch();
      const lagOf = async () =>
        (await viaA.ops.listSubscriptions({ clientId: "slow-consumer" })).answer!.subscriptions[0]?.lagFacts ?? 0n;
      const first = await until(lagOf, (lag) => lag > 0n, "the slow consumer to lag");
      for (let i = 0; i < 3; i++) await batch();
      await until(lagOf, (lag) => lag >= first + 300n, "the lag to grow");
      const worst = (await viaA.ops.listSubscriptions({ orderBy: SubscriptionOrder.LAG, limit: 1 })).answer!;
      expect(worst.subscriptions[0].clientId).toBe("slow-consumer");
      expect(Number(worst.subscriptions[0].lagMs)).toBeGreaterThan(0);

      await viaA.ops.endSubscription({ id: worst.subscriptions[0].id, reason: "stuck consumer" });
      let error: ConnectError | undefined;
      try {
        for (;;) if ((await reader.next()).done) break;
      } catch (e) {
        error = ConnectError.from(e);
      }
      // It gets the status after what it had not read, or is cut off when it cannot take it.
      expect(error).toBeDefined();
    } finally {
      abort.abort();
    }
  });

  it("ends a follower on the other instance with the operator's words, CANCELLED or ABORTED", async () => {
    const ns = uniqueName("console-end");
    const ending = follow(a, "to-end", { specs: [{ ns }], continuous: true });
    const listed = await until(
      () => viaB.ops.listSubscriptions({ clientId: "to-end" }),
      (r) => r.answer?.subscriptions.length === 1,
      "the follower",
    );
    const id = listed.answer!.subscriptions[0].id;
    const answer = await viaB.ops.endSubscription({ id, reason: "replaying into a new projection" });
    expect(answer.instanceId).toBe(listed.answer!.subscriptions[0].instanceId);
    const end = await ending.ended;
    expect(end.error?.code).toBe(Code.Canceled);
    expect(end.error?.rawMessage).toBe("subscription ended by anonymous: replaying into a new projection");

    // Ended already: the store says so, in words a page can show.
    await until(
      () => viaA.ops.listSubscriptions({ id }),
      (r) => r.answer?.total === 0,
      "the ended subscription to leave the list",
    );
    const again = await refusal(viaA.ops.endSubscription({ id, reason: "twice" }));
    expect(again.code).toBe(Code.NotFound);
    expect(again.rawMessage).toMatch(
      /no subscription .* is open on a live store instance \(it may have ended already\)/,
    );

    const restarting = follow(a, "to-restart", { specs: [{ ns }], continuous: true });
    const second = await until(
      () => viaA.ops.listSubscriptions({ clientId: "to-restart" }),
      (r) => r.answer?.subscriptions.length === 1,
      "the second follower",
    );
    await viaA.ops.endSubscription({ id: second.answer!.subscriptions[0].id, letReconnect: true });
    const restarted = await restarting.ended;
    expect(restarted.error?.code).toBe(Code.Aborted);
  });

  it("passes the store's words on for bad requests", async () => {
    // Thunks: each call starts only when its turn comes, so no refusal goes unobserved.
    const cases: [() => Promise<unknown>, Code, RegExp][] = [
      [() => viaA.ops.listSubscriptions({ id: "not-a-uuid" }), Code.InvalidArgument, /id must be a subscription id/],
      [
        () => viaA.ops.listSubscriptions({ instanceId: "x" }),
        Code.InvalidArgument,
        /instance_id must be an instance id/,
      ],
      [() => viaA.ops.listSubscriptions({ limit: 5_000 }), Code.InvalidArgument, /limit must be from 1 to 1000/],
      [() => viaA.ops.listSubscriptions({ orderBy: 42 as SubscriptionOrder }), Code.InvalidArgument, /order_by 42/],
      [() => viaA.ops.listSubscriptions({ mode: 9 as SubscriptionMode }), Code.InvalidArgument, /mode 9/],
      [() => viaA.ops.endSubscription({ id: "x" }), Code.InvalidArgument, /id must be a subscription id/],
      [() => viaA.ops.endSubscription({ id: crypto.randomUUID() }), Code.NotFound, /no subscription/],
      [
        () => viaA.ops.endSubscription({ id: crypto.randomUUID(), reason: "first line\nsecond line" }),
        Code.InvalidArgument,
        /reason must be one line of text/,
      ],
      [
        () => viaA.ops.endSubscription({ id: crypto.randomUUID(), reason: "y".repeat(501) }),
        Code.InvalidArgument,
        /reason must be at most 500 characters, got 501/,
      ],
    ];
    for (const [call, code, message] of cases) {
      const err = await refusal(call());
      expect(err.code, err.rawMessage).toBe(code);
      expect(err.rawMessage).toMatch(message);
    }
    // An unknown id is not an error for a list: nothing matches.
    const unknown = await viaA.ops.listSubscriptions({ id: crypto.randomUUID() });
    expect(unknown).toMatchObject({ reported: true, answer: { total: 0, subscriptions: [] } });
  });

  it("says the store is unreachable when it is", async () => {
    const nowhere = consoleAs(createUpstream({ url: "http://127.0.0.1:1" }));
    try {
      const err = await refusal(nowhere.ops.listSubscriptions({}));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toMatch(/^store unreachable: cannot connect to http:\/\/127\.0\.0\.1:1/);
    } finally {
      nowhere.upstream.close();
    }
  });
});
