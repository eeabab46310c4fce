import { describe, expect, it } from "vitest";
import { jsonSyntaxError, pointerLines, schemaFields } from "./schemas-json";

describe("jsonSyntaxError", () => {
  it("is undefined for valid JSON and points at the line and column of a mistake", () => {
    expect(jsonSyntaxError('{"a": 1}')).toBeUndefined();
    const err = jsonSyntaxError('{\n  "a": 1,\n  oops\n}');
    expect(err).toMatchObject({ line: 3, column: 3 });
    expect(err?.message).not.toMatch(/position/);
  });
});

describe("pointerLines", () => {
  const value = { a: 1, b: { c: [10, 20], d: "x" } };
  // {            0
  //   "a": 1,    1
  //   "b": {     2
  //     "c": [   3
  //       10,    4
  //       20     5
  //     ],       6
  //     "d": "x" 7
  it("finds the pretty-printed lines of the value at a pointer", () => {
    expect(pointerLines(value, "/a")).toEqual({ from: 1, to: 1 });
    expect(pointerLines(value, "/b/c")).toEqual({ from: 3, to: 6 });
    expect(pointerLines(value, "/b/c/1")).toEqual({ from: 5, to: 5 });
    expect(pointerLines(value, "#/b/d")).toEqual({ from: 7, to: 7 });
    expect(pointerLines(value, "/nope")).toBeUndefined();
  });
});

describe("schemaFields", () => {
  it("flattens properties with type, required, description and constraints", () => {
    const rows = schemaFields({
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", description: "who", minLength: 1 },
        tags: { type: "array", items: { type: "string", enum: ["a", "b"] } },
      },
      additionalProperties: false,
    });
    expect(rows.map((r) => r.path)).toEqual(["/", "/name", "/tags", "/tags/*"]);
    expect(rows[0].constraints).toContain("no additional properties");
    expect(rows[1]).toMatchObject({
      type: "string",
      required: true,
      description: "who",
      constraints: ["minLength: 1"],
    });
    expect(rows[3].constraints).toEqual(['enum: "a", "b"']);
  });
});
