import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  FactQuerySchema,
  Order,
  type FactQuery,
  type QueryFactsResponse,
} from "../../../gen/factline/console/v1/console_pb";
import { parseFactsSearchParams, toFactQuery } from "../../query-params";
import { MAX_GAP_WALK } from "./catchup";
import { NEWEST_FIRST_UNAVAILABLE } from "./queries";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";

const A1 = "aaaaaaaa-0000-4000-8000-000000000001";
const A2 = "aaaaaaaa-0000-4000-8000-000000000002";
const day = (d: number, h = 12) => Date.UTC(2025, 0, d, h);

/** 12 facts over three days (Jan 10, 11, 12), two namespaces, two aggregates, some meta, a gap. */
function seeded(options: ConstructorParameters<typeof FakeStore>[0] = {}): FakeStore {
  const store = new FakeStore(options);
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
  for (const [d, count] of [
    [10, 4],
    [11, 4],
    [12, 4],
  ] as const) {
    for (let i = 0; i < count; i++) {
      store.publish({
        id: id(),
        ns: i % 2 === 0 ? "users" : "orders",
        type: i % 2 === 0 ? "UserCreated" : "OrderPlaced",
        aggIds: [i < 2 ? A1 : A2],
        meta: { tenant: d === 11 ? "t2" : "t1", ...(i === 3 ? { flagged: "yes" } : {}) },
        payload: { day: d, i, blob: i === 1 ? "z".repeat(3000) : "" },
        ts: day(d, 8 + i),
      });
    }
    if (d === 10) store.gap(5); // serials 5–9 rolled back
  }
  return store;
}

function query(search: string): FactQuery {
  const parsed = parseFactsSearchParams(search);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return toFactQuery(parsed.params);
}

const serials = (res: QueryFactsResponse) => res.facts.map((f) => Number(f.serial));

/** Pages through a whole result, returning every serial and the number of pages. */
async function pageAll(store: FakeStore, q: FactQuery, order: Order, limit: number) {
  const { client } = consoleFor(store);
  const all: number[] = [];
  let cursor = 0n;
  for (let pages = 1; ; pages++) {
    const res = await client.queryFacts({ query: q, order, cursor, limit });
    all.push(...serials(res));
    if (!res.hasMore) return { all, pages, last: res };
    cursor = res.nextCursor;
  }
}

describe("QueryFacts with factline's admin services (keyset)", () => {
  it("pages newest first by cursor until has_more is false", async () => {
    const store = seeded();
    const { all, pages, last } = await pageAll(store, create(FactQuerySchema), Order.NEWEST_FIRST, 5);
    expect(all).toEqual([17, 16, 15, 14, 13, 12, 11, 10, 4, 3, 2, 1]);
    expect(pages).toBe(3);
    expect(last.strategy).toBe("keyset");
    expect(last.notices).toEqual([]);
  });

  it("pages oldest first and stays correct while facts arrive", async () => {
    const store = seeded();
    const { client } = consoleFor(store);
    const first = await client.queryFacts({ query: query("ns=users"), order: Order.OLDEST_FIRST, limit: 3 });
    expect(serials(first)).toEqual([1, 3, 10]);
    store.publish({ ns: "users", type: "UserCreated" });
    const second = await client.queryFacts({
      query: query("ns=users"),
      order: Order.OLDEST_FIRST,
      limit: 3,
      cursor: first.nextCursor,
    });
    expect(serials(second)).toEqual([12, 14, 16]);
    const third = await client.queryFacts({
      query: query("ns=users"),
      order: Order.OLDEST_FIRST,
      limit: 3,
      cursor: second.nextCursor,
    });
    expect(serials(third)).toEqual([18]);
    expect(third.hasMore).toBe(false);
  });

  it("sends previews of about 1 KiB, marked truncated, with the whole size", async () => {
    const res = await consoleFor(seeded()).client.queryFacts({ query: query("from=2&to=2") });
    expect(res.facts[0].payloadTruncated).toBe(true);
    expect(res.facts[0].payloadJson.length).toBe(1024);
    expect(res.facts[0].payloadBytes).toBeGreaterThan(3000n);
  });
});

describe("resolving days and serial bounds", () => {
  it("turns days into serials with lastSerialBefore / firstSerialAfter (UTC days, inclusive)", async () => {
    const res = await consoleFor(seeded()).client.queryFacts({
      query: query("fromDate=2025-01-11&toDate=2025-01-11"),
      order: Order.OLDEST_FIRST,
    });
    expect([res.resolvedFromSerial, res.resolvedToSerial]).toEqual([10n, 13n]);
    expect(serials(res)).toEqual([10, 11, 12, 13]);
  });

  it("lets the narrower of a serial and a day bound win", async () => {
    const { client } = consoleFor(seeded());
    const res = await client.queryFacts({ query: query("from=12&fromDate=2025-01-11&to=16&toDate=2025-01-11") });
    expect([res.resolvedFromSerial, res.resolvedToSerial]).toEqual([12n, 13n]);
    const wider = await client.queryFacts({ query: query("from=2&fromDate=2025-01-11") });
    expect(wider.resolvedFromSerial).toBe(10n);
  });

  it("resolves to_date without firstSerialAfter, as a Java FactCast server requires", async () => {
    const res = await consoleFor(seeded({ firstSerialAfter: false })).client.queryFacts({
      query: query("toDate=2025-01-11"),
      order: Order.OLDEST_FIRST,
    });
    expect(res.resolvedToSerial).toBe(13n);
    expect(serials(res)).toEqual([1, 2, 3, 4, 10, 11, 12, 13]);
  });

  it("answers an empty range with a notice instead of facts", async () => {
    const res = await consoleFor(seeded()).client.queryFacts({ query: query("toDate=2025-01-01") });
    expect(res.facts).toEqual([]);
    expect(res.notices).toEqual(["No facts were published on or before 2025-01-01 (UTC)."]);
  });

  it("keeps a to_date of today open, so facts published later today still show", async () => {
    const store = seeded();
    const res = await consoleFor(store).client.queryFacts({ query: query("toDate=2025-06-01") });
    expect(res.resolvedToSerial).toBe(0n);
    expect(store.calls).not.toContain("firstSerialAfter");
  });
});

describe("QueryFacts against a plain FactCast server (catch-up)", () => {
  it("reads oldest first, says so, and gives the same facts as the keyset for every kind of filter", async () => {
    for (const search of [
      "",
      "ns=users",
      "ns=users&ns=orders&type=OrderPlaced",
      `aggId=${A2}`,
      "meta=tenant=t2",
      "has=flagged",
      "lacks=flagged&ns=orders",
      "from=3&to=12",
      "fromDate=2025-01-12",
    ]) {
      const keyset = await pageAll(seeded(), query(search), Order.OLDEST_FIRST, 4);
      const catchUp = await pageAll(seeded({ admin: false }), query(search), Order.OLDEST_FIRST, 4);
      expect(catchUp.all, search).toEqual(keyset.all);
      expect(catchUp.last.strategy).toBe("catch-up");
    }
    const res = await consoleFor(seeded({ admin: false })).client.queryFacts({
      query: query("ns=users"),
      order: Order.NEWEST_FIRST,
    });
    expect(serials(res)).toEqual([1, 3, 10, 12, 14, 16]);
    expect(res.notices).toEqual([NEWEST_FIRST_UNAVAILABLE]);
  });

  it("starts after the fact at or below the start serial, walking down over gaps", async () => {
    const store = seeded({ admin: false });
    const res = await consoleFor(store).client.queryFacts({
      query: query("from=8"),
      order: Order.OLDEST_FIRST,
      limit: 2,
    });
    expect(serials(res)).toEqual([10, 11]);
    // Serials 7, 6, 5 are the gap; the walk finds 4 and the subscription starts after its id.
    expect(store.calls.filter((c) => c === "fetchBySerial").length).toBeGreaterThanOrEqual(4);
  });

  it("collects limit + 1 facts, then cancels the subscription", async () => {
    const store = new FakeStore({ admin: false, batchSize: 3 });
    for (let i = 0; i < 300; i++) store.publish({ ns: "bulk", type: "Row" });
    const res = await consoleFor(store).client.queryFacts({
      query: query("ns=bulk"),
      order: Order.OLDEST_FIRST,
      limit: 5,
    });
    expect(serials(res)).toEqual([1, 2, 3, 4, 5]);
    expect(res.hasMore).toBe(true);
    expect(res.nextCursor).toBe(5n);
    expect(store.delivered).toBeLessThan(20);
  });

  it("cuts previews itself", async () => {
    const res = await consoleFor(seeded({ admin: false })).client.queryFacts({ query: query("from=2&to=2") });
    expect(res.facts[0]).toMatchObject({ payloadTruncated: true, payloadJson: expect.any(String) });
    expect(res.facts[0].payloadJson.length).toBe(1024);
  });

  it("says what to do when a gap is longer than it will walk", async () => {
    const store = new FakeStore({ admin: false });
    store.publish({ ns: "x" });
    store.gap(MAX_GAP_WALK + 10);
    store.publish({ ns: "x" });
    const err = await consoleFor(store)
      .client.queryFacts({ query: query(`from=${MAX_GAP_WALK + 5}`) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("choose a start serial below"),
    });
  });
});

describe("QueryFacts input", () => {
  it("rejects what cannot be asked, saying what to fix", async () => {
    const { client } = consoleFor(seeded());
    const cases: [Parameters<typeof client.queryFacts>[0], string][] = [
      [{ limit: 501 }, "limit must be from 1 to 500"],
      [{ limit: -1 }, "limit must be from 1 to 500"],
      [{ query: { filters: [{ aggIds: ["nope"] }] } }, 'query.filters[0].agg_ids[0] "nope" is not a UUID'],
      [{ query: { fromDate: "2025-13-01" } }, 'query.from_date "2025-13-01" is not a day: write it as YYYY-MM-DD'],
      [{ query: { fromSerial: 9n, toSerial: 3n } }, "swap them"],
      [{ query: { fromDate: "2025-02-01", toDate: "2025-01-01" } }, "swap them"],
      [{ query: { filters: [{ metaPresent: ["k"], metaAbsent: ["k"] }] } }, "both present and absent"],
    ];
    for (const [req, message] of cases) {
      const err = await client.queryFacts(req).catch((e: unknown) => e);
      expect(err, message).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage).toContain(message);
    }
  });
});
