import { describe, expect, it } from "vitest";
import { Order } from "../gen/factline/console/v1/console_pb";
import {
  describeFactsQuery,
  emptyFactsQuery,
  exportScope,
  isIsoDay,
  parseFactsSearchParams,
  toFactQuery,
  toFactsSearchParams,
  toOrder,
  type FactsQueryParams,
} from "./query-params";

const AGG = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

function parsed(search: string): FactsQueryParams {
  const result = parseFactsSearchParams(search);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.params;
}

function errorsOf(search: string) {
  const result = parseFactsSearchParams(search);
  if (result.ok) throw new Error(`expected errors for ${search}`);
  return result.errors;
}

describe("parseFactsSearchParams", () => {
  it("reads nothing as every fact, newest first", () => {
    const params = parsed("");
    expect(params).toEqual(emptyFactsQuery());
    expect(toFactQuery(params).filters).toEqual([]);
  });

  it("reads every parameter", () => {
    const params = parsed(
      `ns=users&ns=orders&type=Created&aggId=${AGG.toUpperCase()}&meta=tenant=a=b&has=source&lacks=legacy` +
        "&from=10&to=20&fromDate=2025-01-01&toDate=2025-01-31&order=oldest&cursor=12",
    );
    expect(params).toEqual({
      namespaces: ["users", "orders"],
      types: ["Created"],
      aggIds: [AGG],
      meta: [["tenant", "a=b"]],
      metaPresent: ["source"],
      metaAbsent: ["legacy"],
      fromSerial: 10n,
      toSerial: 20n,
      fromDate: "2025-01-01",
      toDate: "2025-01-31",
      order: "oldest",
      cursor: 12n,
    });
  });

  it("ignores blank values a form submits and repeated identical values", () => {
    expect(parsed("ns=&type=&from=&ns=a&ns=a")).toEqual({ ...emptyFactsQuery(), namespaces: ["a"] });
  });

  it("names the parameter and the fix for each mistake", () => {
    expect(errorsOf("aggId=42")).toEqual([{ param: "aggId", message: expect.stringContaining("not a UUID") }]);
    expect(errorsOf("from=abc")[0]).toMatchObject({ param: "from", message: expect.stringContaining("whole number") });
    expect(errorsOf("from=0")[0]).toMatchObject({ param: "from", message: expect.stringContaining("start at 1") });
    expect(errorsOf("to=99999999999999999999")[0]).toMatchObject({ param: "to" });
    expect(errorsOf("from=5&to=4")[0]).toMatchObject({ param: "to", message: expect.stringContaining("swap") });
    expect(errorsOf("fromDate=2024-02-30")[0]).toMatchObject({
      param: "fromDate",
      message: expect.stringContaining("YYYY-MM-DD"),
    });
    expect(errorsOf("fromDate=2024-03-02&toDate=2024-03-01")[0]).toMatchObject({ param: "toDate" });
    expect(errorsOf("order=sideways")[0]).toMatchObject({
      param: "order",
      message: expect.stringContaining("newest or oldest"),
    });
    expect(errorsOf("meta=novalue")[0]).toMatchObject({ param: "meta", message: expect.stringContaining("key=value") });
    expect(errorsOf("meta=k=1&meta=k=2")[0]).toMatchObject({
      param: "meta",
      message: expect.stringContaining("two values"),
    });
    expect(errorsOf("has=x&lacks=x")[0]).toMatchObject({ param: "lacks" });
    expect(errorsOf("from=1&from=2")[0]).toMatchObject({ param: "from", message: expect.stringContaining("keep one") });
  });

  it("reads asVersion for one namespace and one type", () => {
    expect(parsed("ns=users&type=Created&asVersion=2").asVersion).toBe(2);
    expect(parsed("ns=users&type=Created&asVersion=007").asVersion).toBe(7);
    expect(parsed("ns=users&type=Created").asVersion).toBeUndefined();
  });

  it("rejects an asVersion that is no version, or without exactly one namespace and type", () => {
    const at = (search: string) => errorsOf(`ns=users&type=Created&${search}`);
    expect(at("asVersion=0")).toEqual([
      { param: "asVersion", message: expect.stringContaining("versions start at 1 (leave asVersion out") },
    ]);
    expect(at("asVersion=-1")[0]).toMatchObject({ param: "asVersion", message: expect.stringContaining("negative") });
    expect(at("asVersion=abc")[0]).toMatchObject({
      param: "asVersion",
      message: expect.stringContaining("not a version: use a whole number like 2"),
    });
    expect(at("asVersion=1.5")[0]).toMatchObject({
      param: "asVersion",
      message: expect.stringContaining("not a version"),
    });
    expect(at("asVersion=2147483648")[0]).toMatchObject({
      param: "asVersion",
      message: expect.stringContaining("out of range: versions go up to 2147483647"),
    });
    expect(at("asVersion=99999999999999999999999")[0]).toMatchObject({ param: "asVersion" });
    expect(at("asVersion=1&asVersion=2")[0]).toMatchObject({ message: expect.stringContaining("keep one") });
    expect(errorsOf("type=Created&asVersion=2")[0]).toMatchObject({
      param: "asVersion",
      message: expect.stringContaining("got every namespace and one type"),
    });
    expect(errorsOf("ns=a&ns=b&type=T&asVersion=2")[0].message).toContain("got 2 namespaces");
    expect(errorsOf("ns=a&type=T&type=U&asVersion=2")[0].message).toContain("and 2 types");
    expect(errorsOf("ns=a&asVersion=2")[0].message).toContain("and every type");
    expect(errorsOf("ns=*&type=T&asVersion=2")[0].message).toContain("every namespace");
  });

  it("reports every error at once", () => {
    expect(errorsOf("aggId=x&from=y&order=z").map((e) => e.param)).toEqual(["aggId", "from", "order"]);
  });
});

describe("toFactsSearchParams", () => {
  it("round-trips through the URL and leaves defaults out", () => {
    const search = `ns=a&ns=b&type=T&aggId=${AGG}&meta=k=v&has=h&lacks=l&from=1&to=9&fromDate=2025-01-01&toDate=2025-01-02&order=oldest&cursor=5`;
    expect(toFactsSearchParams(parsed(search)).toString()).toBe(new URLSearchParams(search).toString());
    expect(toFactsSearchParams(parsed("order=newest")).toString()).toBe("");
    expect(toFactsSearchParams(parsed("asVersion=02&type=T&ns=a")).toString()).toBe("ns=a&type=T&asVersion=2");
  });
});

describe("toFactQuery", () => {
  it("makes one filter per namespace, each carrying the types, aggregates and meta conditions", () => {
    const query = toFactQuery(
      parsed(`ns=a&ns=b&type=T&type=U&aggId=${AGG}&meta=k=v&has=h&lacks=l&from=3&toDate=2025-02-01`),
    );
    const common = { types: ["T", "U"], aggIds: [AGG], meta: { k: "v" }, metaPresent: ["h"], metaAbsent: ["l"] };
    expect(
      query.filters.map((f) => ({
        ns: f.ns,
        types: f.types,
        aggIds: f.aggIds,
        meta: f.meta,
        metaPresent: f.metaPresent,
        metaAbsent: f.metaAbsent,
      })),
    ).toEqual([
      { ns: "a", ...common },
      { ns: "b", ...common },
    ]);
    expect([query.fromSerial, query.toSerial, query.fromDate, query.toDate]).toEqual([3n, 0n, "", "2025-02-01"]);
  });

  it("filters every namespace when only a type or aggregate is given", () => {
    const query = toFactQuery(parsed(`aggId=${AGG}`));
    expect(query.filters).toHaveLength(1);
    expect(query.filters[0].ns).toBe("");
    expect(query.filters[0].aggIds).toEqual([AGG]);
  });

  it("puts asVersion on the filter as FactCast's spec version, and 0 without it", () => {
    expect(toFactQuery(parsed("ns=a&type=T&asVersion=3")).filters.map((f) => f.version)).toEqual([3]);
    expect(toFactQuery(parsed("ns=a&type=T")).filters.map((f) => f.version)).toEqual([0]);
    expect(describeFactsQuery(parsed("ns=a&type=T&asVersion=3"))).toBe("namespace a, type T, as version 3");
  });

  it("maps order", () => {
    expect(toOrder("oldest")).toBe(Order.OLDEST_FIRST);
    expect(toOrder("newest")).toBe(Order.NEWEST_FIRST);
  });
});

describe("describing the scope", () => {
  it("says what a query covers in words and in a safe file name", () => {
    const params = parsed("ns=users&type=User Created&from=5&fromDate=2025-01-01");
    expect(describeFactsQuery(params)).toBe(
      "namespace users, type User Created, serials 5–latest, days 2025-01-01–today (UTC)",
    );
    expect(exportScope(params)).toBe("users.User_Created");
    expect(exportScope(emptyFactsQuery())).toBe("all");
  });
});

describe("isIsoDay", () => {
  it("accepts real days only", () => {
    expect(isIsoDay("2024-02-29")).toBe(true);
    expect(isIsoDay("2023-02-29")).toBe(false);
    expect(isIsoDay("2024-1-01")).toBe(false);
  });
});
