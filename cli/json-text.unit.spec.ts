import { describe, expect, it } from "vitest";
import { memberSpans, prettyJson, singleLine } from "./json-text";

const cut = (text: string, key: string) => {
  const span = memberSpans(text).get(key)!;
  return text.slice(span.start, span.end);
};

describe("memberSpans", () => {
  it("cuts out a member's value byte for byte, whitespace and escapes included", () => {
    const text = `{"header":{"ns":"a","x":"}"} , "payload" :  { "b" : [1, "]\\"}"],  "a":1e3 } }`;
    expect(cut(text, "payload")).toBe(`{ "b" : [1, "]\\"}"],  "a":1e3 }`);
    expect(cut(text, "header")).toBe(`{"ns":"a","x":"}"}`);
  });

  it("handles scalars, strings and keys with escapes", () => {
    const text = `{ "a\\"b" : 12.50 ,"s":"x\\\\","n":null,"t":true}`;
    expect(cut(text, 'a"b')).toBe("12.50");
    expect(cut(text, "s")).toBe(`"x\\\\"`);
    expect(cut(text, "n")).toBe("null");
    expect(cut(text, "t")).toBe("true");
  });

  it("takes the last of repeated keys, like JSON.parse", () => {
    expect(cut(`{"payload":1,"payload":[2]}`, "payload")).toBe("[2]");
  });
});

describe("singleLine", () => {
  it("leaves single-line text untouched", () => {
    const text = `{ "a" :  "x\\ny" }`;
    expect(singleLine(text)).toBe(text);
  });

  it("turns raw line breaks into spaces without changing the value", () => {
    const text = `{\r\n  "a": [1,\n 2]\n}`;
    expect(singleLine(text)).not.toMatch(/[\r\n]/);
    expect(JSON.parse(singleLine(text))).toEqual(JSON.parse(text));
  });
});

describe("prettyJson", () => {
  it("indents without touching numbers, strings or key order", () => {
    const text = `{"z":12345678901234567890,"a":{"s":"a, {b}: [c]"},"e":[],"o":{}}`;
    expect(prettyJson(text)).toBe(
      [
        "{",
        `  "z": 12345678901234567890,`,
        `  "a": {`,
        `    "s": "a, {b}: [c]"`,
        "  },",
        `  "e": [],`,
        `  "o": {}`,
        "}",
      ].join("\n"),
    );
  });

  it("keeps scalars as they are", () => {
    expect(prettyJson(" 1.0e2 ")).toBe("1.0e2");
  });
});
