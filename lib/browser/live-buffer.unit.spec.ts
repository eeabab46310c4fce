import { describe, expect, it } from "vitest";
import type { FactRow } from "../view/facts";
import {
  addMarker,
  appendFacts,
  clearBuffer,
  emptyBuffer,
  matchesText,
  setCap,
  setPaused,
  visibleItems,
} from "./live-buffer";
import { RateCounter } from "./live-rate";

const fact = (serial: number, type = "OrderPlaced") =>
  ({
    serial: BigInt(serial),
    id: `id-${serial}`,
    ns: "shop",
    type,
    version: 1,
    aggIds: [],
    meta: [],
    publishedMs: 0,
    payloadJson: `{"n":${serial}}`,
    payloadTruncated: false,
    payloadBytes: 8,
    headerJson: "{}",
  }) as FactRow;
const serials = (buf: ReturnType<typeof emptyBuffer>) =>
  visibleItems(buf).map((i) => (i.kind === "fact" ? Number(i.fact.serial) : "marker"));

describe("live buffer", () => {
  it("shows facts newest first and never twice, even when a reconnect repeats the edge", () => {
    let buf = appendFacts(emptyBuffer(), [fact(1), fact(2), fact(3)]);
    buf = appendFacts(buf, [fact(2), fact(3), fact(4)]);
    expect(serials(buf)).toEqual([4, 3, 2, 1]);
    expect(buf.received).toBe(4);
    expect(buf.lastSerial).toBe(4n);
  });

  it("keeps the newest facts up to the cap and counts the dropped ones", () => {
    let buf = emptyBuffer(100);
    buf = appendFacts(
      buf,
      Array.from({ length: 150 }, (_, i) => fact(i + 1)),
    );
    expect(visibleItems(buf)).toHaveLength(100);
    expect(serials(buf)[0]).toBe(150);
    expect(buf.dropped).toBe(50);
    buf = setCap(buf, 1); // below the minimum: held at 100
    expect(buf.cap).toBe(100);
  });

  it("holds the list still while paused, counts what arrives, and shows it on resume", () => {
    let buf = setPaused(appendFacts(emptyBuffer(), [fact(1)]), true);
    buf = appendFacts(buf, [fact(2), fact(3)]);
    expect(serials(buf)).toEqual([1]);
    expect(buf.newWhilePaused).toBe(2);
    buf = setPaused(buf, false);
    expect(serials(buf)).toEqual([3, 2, 1]);
    expect(buf.newWhilePaused).toBe(0);
  });

  it("puts a reconnect marker between the facts before and after it; clear keeps the position", () => {
    let buf = addMarker(appendFacts(emptyBuffer(), [fact(1)]), "reconnected");
    buf = appendFacts(buf, [fact(2)]);
    expect(serials(buf)).toEqual([2, "marker", 1]);
    buf = appendFacts(clearBuffer(buf), [fact(2), fact(3)]);
    expect(serials(buf)).toEqual([3]);
  });

  it("filters by text over type, payload and serial", () => {
    const buf = appendFacts(emptyBuffer(), [fact(1, "OrderPlaced"), fact(2, "OrderShipped")]);
    expect(
      visibleItems(buf)
        .filter((i) => matchesText(i, "shipped"))
        .map((i) => i.key),
    ).toEqual(["f2"]);
    expect(
      visibleItems(buf)
        .filter((i) => matchesText(i, '"n":1'))
        .map((i) => i.key),
    ).toEqual(["f1"]);
  });
});

describe("rate counter", () => {
  it("reports whole seconds, overall and per type", () => {
    const rates = new RateCounter();
    rates.record(["A", "A", "B"], 10_000);
    rates.record(["A"], 11_500);
    const snap = rates.snapshot(12_000);
    expect(snap.perSecond.slice(-2)).toEqual([3, 1]);
    expect(snap.perType).toEqual([
      { type: "A", rate: 0.3 },
      { type: "B", rate: 0.1 },
    ]);
    expect(snap.overall).toBeCloseTo(0.4);
  });
});
