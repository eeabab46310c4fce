import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { WatchFactsRequestSchema } from "../../../gen/factline/console/v1/console_pb";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";

type WatchInit = MessageInitShape<typeof WatchFactsRequestSchema>;

/** A store with five facts, the third on a later day. */
function seeded(): FakeStore {
  const store = new FakeStore();
  for (let i = 0; i < 5; i++)
    store.publish({ ns: "shop", type: "OrderPlaced", payload: { i }, ts: Date.UTC(2025, 0, i < 2 ? 10 : 12) });
  return store;
}

/** Reads a watch until it has caught up; returns the serials it sent before that. */
async function untilCaughtUp(store: FakeStore, req: WatchInit): Promise<bigint[]> {
  const { client } = consoleFor(store);
  const abort = new AbortController();
  const serials: bigint[] = [];
  try {
    for await (const res of client.watchFacts(req, { signal: abort.signal })) {
      if (res.event.case === "facts") serials.push(...res.event.value.facts.map((f) => f.serial));
      if (res.event.case === "caughtUp") break;
    }
  } finally {
    abort.abort();
  }
  return serials;
}

async function rejection(req: WatchInit): Promise<ConnectError> {
  const { client } = consoleFor(seeded());
  try {
    for await (const _ of client.watchFacts(req)) break;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the watch was not rejected");
}

describe("WatchFacts: where a watch starts", () => {
  it("from the beginning: a normal subscription with no startingAfter, so every matching fact comes first", async () => {
    const store = seeded();
    expect(await untilCaughtUp(store, { fromBeginning: true })).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(store.subscriptions).toEqual([{ continuous: true, ephemeral: false, startingAfter: null }]);
  });

  it("from now: an ephemeral subscription, so no past fact comes", async () => {
    const store = seeded();
    expect(await untilCaughtUp(store, {})).toEqual([]);
    expect(store.subscriptions[0]).toMatchObject({ continuous: true, ephemeral: true });
  });

  it("after a serial, and from a day", async () => {
    expect(await untilCaughtUp(seeded(), { afterSerial: 3n })).toEqual([4n, 5n]);
    expect(await untilCaughtUp(seeded(), { fromDate: "2025-01-11" })).toEqual([3n, 4n, 5n]);
    // A day before every fact is the whole log.
    expect(await untilCaughtUp(seeded(), { fromDate: "2024-01-01" })).toEqual([1n, 2n, 3n, 4n, 5n]);
  });
});

describe("WatchFacts: bad starts are INVALID_ARGUMENT saying what to fix", () => {
  it.each<[string, WatchInit, RegExp]>([
    ["a negative serial", { afterSerial: -3n }, /after_serial -3 is negative: send the serial to start after/],
    ["a malformed day", { fromDate: "2025-13-01" }, /from_date "2025-13-01" is not a day: write it as YYYY-MM-DD/],
    ["a day in another form", { fromDate: "01/02/2025" }, /from_date "01\/02\/2025" is not a day/],
    ["a malformed id", { afterId: "not-a-uuid" }, /after_id must be a fact id \(UUID\)/],
    [
      "beginning and a serial",
      { fromBeginning: true, afterSerial: 5n },
      /from_beginning and after_serial\/after_id are different starts: set one/,
    ],
    [
      "beginning and a day",
      { fromBeginning: true, fromDate: "2025-01-01" },
      /from_beginning and from_date are different starts/,
    ],
    [
      "a serial and a day",
      { afterSerial: 5n, fromDate: "2025-01-01" },
      /after_serial\/after_id and from_date are different starts/,
    ],
    [
      "a bad aggregate id in a filter",
      { filters: [{ ns: "shop", aggIds: ["x"] }] },
      /filters\[0\]\.agg_ids\[0\] "x" is not a UUID/,
    ],
  ])("%s", async (_what, req, message) => {
    const err = await rejection(req);
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(message);
  });

  it("asks the store nothing for a bad request", async () => {
    const store = seeded();
    const { client } = consoleFor(store);
    await expect(client.watchFacts({ afterSerial: -1n })[Symbol.asyncIterator]().next()).rejects.toThrow(/negative/);
    expect(store.calls).toEqual([]);
  });
});

describe("WatchFacts: caught up", () => {
  it("never reports a serial above a fact still to come, so resuming after it loses nothing", async () => {
    const store = seeded();
    let meanwhile: bigint | undefined;
    // A fact published just as the subscription starts arrives live, after Catchup.
    store.onSubscribe = () => (meanwhile ??= store.publish({ ns: "shop", type: "OrderPlaced" }).serial);
    const { client } = consoleFor(store);
    const abort = new AbortController();
    const events: string[] = [];
    let caughtUpAt = -1n;
    for await (const res of client.watchFacts({}, { signal: abort.signal })) {
      if (res.event.case === "caughtUp") {
        caughtUpAt = res.event.value.latestSerial;
        events.push("caughtUp");
      }
      if (res.event.case === "facts") {
        events.push(...res.event.value.facts.map((f) => `fact ${f.serial}`));
        break;
      }
    }
    abort.abort();
    expect(events).toEqual(["caughtUp", `fact ${meanwhile}`]);
    expect(caughtUpAt).toBe(5n);
    expect(caughtUpAt).toBeLessThan(meanwhile!);
  });

  it("follows facts published after the start", async () => {
    const store = seeded();
    const { client } = consoleFor(store);
    const abort = new AbortController();
    const got: bigint[] = [];
    for await (const res of client.watchFacts({ afterSerial: 4n }, { signal: abort.signal })) {
      if (res.event.case === "caughtUp") for (let i = 0; i < 3; i++) store.publish({ ns: "shop", type: "OrderPlaced" });
      if (res.event.case === "facts") got.push(...res.event.value.facts.map((f) => f.serial));
      if (got.length >= 4) break;
    }
    abort.abort();
    expect(got).toEqual([5n, 6n, 7n, 8n]);
  });
});
