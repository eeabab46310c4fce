import { describe, expect, it } from "vitest";
import {
  describeLiveStart,
  liveHref,
  parseLiveSearchParams,
  toLiveSearchParams,
  watchStartFields,
  type LiveParams,
} from "./live-params";

function ok(search: string): LiveParams {
  const r = parseLiveSearchParams(search);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.params;
}
function errors(search: string): string[] {
  const r = parseLiveSearchParams(search);
  return r.ok ? [] : r.errors.map((e) => `${e.param}: ${e.message}`);
}

describe("live URL", () => {
  it("/live alone watches everything from now", () => {
    const p = ok("");
    expect(p.start).toEqual({ kind: "now" });
    expect(liveHref(p)).toBe("/live");
    expect(watchStartFields(p.start)).toEqual({});
  });

  it("names the four starts plainly and maps them to WatchFacts", () => {
    expect(ok("from=beginning").start).toEqual({ kind: "beginning" });
    expect(watchStartFields({ kind: "beginning" })).toEqual({ fromBeginning: true });
    // `from` is inclusive, as in /facts; the wire resumes strictly after a serial.
    expect(ok("from=1042").start).toEqual({ kind: "serial", fromSerial: 1042n });
    expect(watchStartFields({ kind: "serial", fromSerial: 1042n })).toEqual({ afterSerial: 1041n });
    expect(watchStartFields({ kind: "serial", fromSerial: 1n })).toEqual({ fromBeginning: true });
    expect(ok("fromDate=2025-03-31").start).toEqual({ kind: "date", fromDate: "2025-03-31" });
    expect(watchStartFields({ kind: "date", fromDate: "2025-03-31" })).toEqual({ fromDate: "2025-03-31" });
    expect(describeLiveStart({ kind: "beginning" })).toBe("from the first fact in the store");
  });

  it("carries every FactSpec field: namespaces, types, aggregate ids, meta pairs, meta keys present and absent", () => {
    const search =
      "ns=shop&ns=users&type=OrderPlaced&aggId=3F2504E0-4F89-11D3-9A0C-0305E82C3301&meta=tenant%3Dacme&meta=region%3Deu&has=traceId&lacks=test&from=beginning";
    const p = ok(search);
    expect(p.query).toMatchObject({
      namespaces: ["shop", "users"],
      types: ["OrderPlaced"],
      aggIds: ["3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
      meta: [
        ["tenant", "acme"],
        ["region", "eu"],
      ],
      metaPresent: ["traceId"],
      metaAbsent: ["test"],
    });
    // Canonical and round-tripping.
    const again = toLiveSearchParams(p).toString();
    expect(ok(again)).toEqual(p);
    expect(again).toBe(search.replace("3F2504E0-4F89-11D3-9A0C-0305E82C3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
  });

  it("watches one type as another version, and says what is wrong with a bad asVersion", () => {
    const p = ok("ns=shop&type=OrderPlaced&asVersion=2&from=beginning");
    expect(p.query.asVersion).toBe(2);
    expect(toLiveSearchParams(p).toString()).toBe("ns=shop&type=OrderPlaced&asVersion=2&from=beginning");
    const bad = parseLiveSearchParams("ns=shop&asVersion=x");
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors[0]).toMatchObject({ param: "asVersion", message: expect.stringContaining("not a version") });
  });

  it("rejects bad starts, saying what to fix", () => {
    expect(errors("from=-5")).toEqual([
      'from: from "-5" is not a start: use a serial (1 or more, like 1042) or beginning',
    ]);
    expect(errors("from=0")).toEqual(["from: from 0 is out of range: serials start at 1 and fit in 63 bits"]);
    expect(errors("from=soon")).toEqual([
      'from: from "soon" is not a start: use a serial (1 or more, like 1042) or beginning',
    ]);
    expect(errors("fromDate=2025-02-30")).toEqual([
      'fromDate: fromDate "2025-02-30" is not a day: write it as YYYY-MM-DD, e.g. 2025-03-31',
    ]);
    expect(errors("from=12&fromDate=2025-01-01")).toEqual([
      "fromDate: from and fromDate are two different starts: keep one (or neither, to watch from now)",
    ]);
    expect(errors("from=beginning&fromDate=2025-01-01")).toHaveLength(1);
    expect(errors("from=beginning&from=12")).toEqual(["from: from is given 2 times: keep one"]);
  });

  it("rejects the fact browser's range and paging, which mean nothing for a stream", () => {
    expect(errors("ns=shop&to=100&order=oldest")).toEqual([
      "to: to does not apply here: a live watch has no last serial; remove it (the fact browser, /facts, takes it)",
      "order: order does not apply here: a live list is always newest first; remove it (the fact browser, /facts, takes it)",
    ]);
  });

  it("rejects bad filters with the fact browser's messages", () => {
    expect(errors("aggId=nope&meta=novalue")).toEqual([
      'aggId: aggId "nope" is not a UUID: write it like 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      'meta: meta "novalue" needs the form key=value (use has=novalue to ask only that the key exists)',
    ]);
  });
});
