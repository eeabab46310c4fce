import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { hashKey, hydrate, QueryClient, type DehydratedState } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type {
  GetCatalogResponse,
  GetFactResponse,
  GetStoreStatusResponse,
  QueryFactsResponse,
} from "../../../gen/factline/console/v1/console_pb";
import {
  catalogQuery,
  consoleQueryKey,
  factQuery,
  recentFactsQuery,
  storeStatusQuery,
  type ConsoleQuery,
} from "../../browser/queries";
import {
  MAX_PREFETCHED_PAYLOAD_BYTES,
  prefetchFactPage,
  prefetchNamespacePage,
  prefetchOverview,
  serialOfFact,
} from "./prefetch";
import { FAKE_URL } from "../testing/console";
import { FakeStore } from "../testing/fake-store";
import { createUpstream } from "../upstream/upstream";

/** What the browser's cache holds for `q` once the page's state is hydrated into it. */
function cached<T>(state: DehydratedState, q: ConsoleQuery): T | undefined {
  const client = new QueryClient();
  hydrate(client, state);
  return client.getQueryData<T>(consoleQueryKey(q));
}

function over(store: FakeStore) {
  return { upstream: createUpstream({ url: FAKE_URL, transport: store.transport() }) };
}

/** Every call fails the way connect-node does when nothing listens. */
const refusing: Transport = {
  unary: () =>
    Promise.reject(
      new ConnectError(
        "connect ECONNREFUSED",
        Code.Unavailable,
        undefined,
        undefined,
        Object.assign(new Error(), { code: "ECONNREFUSED" }),
      ),
    ),
  stream: () => Promise.reject(new ConnectError("connect ECONNREFUSED", Code.Unavailable)),
};
/**
 * A store behind a firewall that drops packets: no call is ever answered, and each ends only at
 * its caller's deadline or cancellation, as with connect-node.
 */
const hanging: Transport = {
  unary: (_method, signal, timeoutMs) =>
    new Promise((_resolve, reject) => {
      const end = (code: Code) => reject(new ConnectError("no answer", code));
      if (timeoutMs !== undefined) setTimeout(() => end(Code.DeadlineExceeded), timeoutMs);
      signal?.addEventListener("abort", () => end(Code.Canceled));
    }),
  stream: () => new Promise(() => {}),
};

function sample(admin: boolean): FakeStore {
  const s = new FakeStore({ admin });
  s.publish({ ns: "users", type: "UserCreated", payload: { name: "Ada" } });
  s.publish({ ns: "users", type: "UserRenamed", payload: { name: "Ada L." } });
  s.publish({ ns: "orders", type: "OrderPlaced" });
  return s;
}

describe("server-side prefetch", () => {
  for (const admin of [true, false]) {
    const kind = admin ? "a factline store" : "a plain FactCast server";

    it(`fills the overview's status and catalog from ${kind}`, async () => {
      const { state } = await prefetchOverview(over(sample(admin)));
      expect(cached<GetStoreStatusResponse>(state, storeStatusQuery())).toMatchObject({
        reachable: true,
        adminAvailable: admin,
      });
      expect(cached<GetCatalogResponse>(state, catalogQuery())?.namespaces.map((n) => n.ns)).toEqual([
        "orders",
        "users",
      ]);
    });

    it(`fills a namespace page's catalog and recent facts from ${kind}`, async () => {
      const { state } = await prefetchNamespacePage("users", over(sample(admin)));
      expect(cached<GetCatalogResponse>(state, catalogQuery("users"))?.namespaces[0].types.map((t) => t.type)).toEqual([
        "UserCreated",
        "UserRenamed",
      ]);
      const recent = cached<QueryFactsResponse>(state, recentFactsQuery("users"));
      // newest first where the store can; a plain FactCast server reads oldest first
      expect(recent?.facts.map((f) => f.serial)).toEqual(admin ? [2n, 1n] : [1n, 2n]);
    });

    it(`fills a fact page from ${kind}, and says found`, async () => {
      const store = sample(admin);
      const { state, found } = await prefetchFactPage({ serial: 2n }, over(store));
      expect(found).toBe(true);
      expect(cached<GetFactResponse>(state, factQuery({ serial: 2n }))?.fact).toMatchObject({
        id: store.facts[1].id,
        type: "UserRenamed",
      });
    });
  }

  it("says not found for an unknown serial, and files nothing for it", async () => {
    const { state, found } = await prefetchFactPage({ serial: 99n }, over(sample(true)));
    expect(found).toBe(false);
    expect(cached(state, factQuery({ serial: 99n }))).toBeUndefined();
  });

  it("leaves a huge fact to the browser, but knows it exists", async () => {
    const store = new FakeStore();
    store.publish({ ns: "big", payload: { blob: "x".repeat(MAX_PREFETCHED_PAYLOAD_BYTES) } });
    const { state, found } = await prefetchFactPage({ serial: 1n }, over(store));
    expect(found).toBe(true);
    expect(cached(state, factQuery({ serial: 1n }))).toBeUndefined();
    expect(cached(state, storeStatusQuery())).toBeDefined();
  });

  it("files the status only when nothing listens (it says unreachable), and not found stays unknown", async () => {
    const options = { upstream: createUpstream({ url: FAKE_URL, transport: refusing }) };
    const overview = await prefetchOverview(options);
    expect(cached<GetStoreStatusResponse>(overview.state, storeStatusQuery())?.reachable).toBe(false);
    expect(cached(overview.state, catalogQuery())).toBeUndefined();
    const fact = await prefetchFactPage({ serial: 1n }, options);
    expect(fact.found).toBeUndefined();
    expect(await serialOfFact("3f2504e0-4f89-11d3-9a0c-0305e82c3301", options)).toBeUndefined();
  });

  it("gives up on a store that does not answer after the timeout, with nothing filed", async () => {
    const options = { upstream: createUpstream({ url: FAKE_URL, transport: hanging }), timeoutMs: 50 };
    const started = performance.now();
    const [overview, namespace, fact, serial] = await Promise.all([
      prefetchOverview(options),
      prefetchNamespacePage("users", options),
      prefetchFactPage({ serial: 1n }, options),
      serialOfFact("3f2504e0-4f89-11d3-9a0c-0305e82c3301", options),
    ]);
    expect(performance.now() - started).toBeLessThan(3_000);
    for (const { state } of [overview, namespace, fact]) expect(state.queries).toEqual([]);
    expect(fact.found).toBeUndefined();
    expect(serial).toBeUndefined();
  });

  it("finds a fact's serial by id, or null for an unknown id", async () => {
    const store = sample(true);
    expect(await serialOfFact(store.facts[2].id, over(store))).toBe(3n);
    expect(await serialOfFact("3f2504e0-4f89-11d3-9a0c-0305e82c3301", over(store))).toBeNull();
  });

  it("files under the hooks' keys and nothing else", async () => {
    const { state } = await prefetchOverview(over(sample(true)));
    expect(state.queries.map((q) => q.queryHash).sort()).toEqual(
      [storeStatusQuery(), catalogQuery()].map((q) => hashKey(consoleQueryKey(q))).sort(),
    );
  });
});
