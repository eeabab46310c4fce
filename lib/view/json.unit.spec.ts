import { describe, expect, it } from "vitest";
import { childKey, childSpan, childrenOf, rootSpan } from "./json-scan";
import { searchJson } from "./json-search";
import { GROUP_SIZE, JsonDocument, idsToReveal, initialOpen, jsonPath, pointer, visibleRows } from "./json-tree";

describe("json-scan", () => {
  it("keeps numbers exactly as written (no rounding beyond 2^53)", () => {
    const text = '{"amount": 12345678901234567890, "x": 1.50}';
    const root = rootSpan(text);
    const kids = childrenOf(text, root);
    expect(kids.count).toBe(2);
    const amount = childSpan(text, kids, 0);
    expect(amount.kind).toBe("number");
    expect(text.slice(amount.start, amount.end)).toBe("12345678901234567890");
    expect(text.slice(...(({ start, end }) => [start, end])(childSpan(text, kids, 1)))).toBe("1.50");
  });

  it("decodes keys and finds nested containers with strings holding brackets", () => {
    const text = ' { "a\\"b" : [1, "]", {"c": "}"}], "d": null } ';
    const kids = childrenOf(text, rootSpan(text));
    expect(childKey(text, kids, 0)).toBe('a"b');
    const arr = childSpan(text, kids, 0);
    expect(childrenOf(text, arr).count).toBe(3);
    expect(childSpan(text, kids, 1).kind).toBe("null");
  });

  it("reports where the text stops being JSON", () => {
    expect(() => rootSpan('{"a": 1} x')).toThrow(/after the value/);
    expect(new JsonDocument('{"a": ').error).toBeDefined();
    expect(new JsonDocument("[1,2]").error).toBeUndefined();
  });
});

describe("json-tree", () => {
  it("splits big arrays into ranges of 100, nested by powers of 100", () => {
    const doc = new JsonDocument(JSON.stringify(Array.from({ length: 25_000 }, (_, i) => i)));
    const rows = visibleRows(doc, new Set([pointer([])]));
    // root + 3 ranges of 10,000
    expect(rows.map((r) => (r.type === "group" ? `${r.from}-${r.to}` : r.id))).toEqual([
      "",
      "0-10000",
      "10000-20000",
      "20000-25000",
    ]);
    const reveal = idsToReveal(doc, [12_345], [12_345]);
    const opened = visibleRows(doc, new Set(reveal));
    expect(opened.some((r) => r.type === "value" && r.id === "/12345")).toBe(true);
    // root, 3 ranges of 10,000, the 100 ranges of the opened one, the 100 values of the opened range
    expect(opened.length).toBe(4 + GROUP_SIZE * 2);
  });

  it("opens a small payload fully and a big one only at the top", () => {
    const small = new JsonDocument('{"a": {"b": [1, 2]}, "c": 3}');
    expect(visibleRows(small, initialOpen(small)).length).toBe(6);
    const big = new JsonDocument(JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ i })) }));
    const rows = visibleRows(big, initialOpen(big));
    expect(rows.length).toBeLessThan(200);
  });

  it("writes JSONPath with brackets where a key is not an identifier", () => {
    expect(jsonPath(["items", 3, "odd key", "ok_1"])).toBe('$.items[3]["odd key"].ok_1');
    expect(pointer(["a/b", "~"])).toBe("/a~1b/~0");
  });
});

describe("json-search", () => {
  it("finds keys and values with their paths and child indexes", () => {
    const text = JSON.stringify({ users: [{ name: "Alice" }, { name: "bob", tags: ["x", {}, "alice!"] }], Alice: 1 });
    const { matches } = searchJson(text, "alice");
    expect(matches.map((m) => jsonPath(m.path))).toEqual(["$.users[0].name", "$.users[1].tags[2]", "$.Alice"]);
    expect(matches[1].indexes).toEqual([0, 1, 1, 2]);
    expect(matches[2].inKey).toBe(true);
  });

  it("stops at the limit and says so", () => {
    const text = JSON.stringify(Array.from({ length: 50 }, () => "hit"));
    const r = searchJson(text, "hit", 10);
    expect(r.matches).toHaveLength(10);
    expect(r.truncated).toBe(true);
  });
});
