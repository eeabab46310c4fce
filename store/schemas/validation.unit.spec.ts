// What a schema or a payload cannot do to the validator: a backtracking pattern runs in linear time,
// a huge invalid payload lists a bounded number of errors, and patterns RE2 cannot run are refused
// at compile time with what to change.
import { describe, expect, it } from "vitest";
import { compileSchema, MAX_PAYLOAD_ERRORS, SchemaCompileError } from "./validation";

describe("schema validation within a time and error budget", () => {
  it('{"pattern":"^(a+)+$"} against "aaaa…!" answers at once (RE2, not backtracking)', () => {
    const validate = compileSchema({ type: "string", pattern: "^(a+)+$" });
    const started = performance.now();
    const errors = validate("a".repeat(40) + "!");
    // Backtracking would take longer than the universe's age; RE2 answers in microseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('must match pattern "^(a+)+$"');
    expect(validate("a".repeat(40))).toEqual([]);
  });

  it("patternProperties and several patterns in one schema each keep their own pattern", () => {
    const validate = compileSchema({
      type: "object",
      patternProperties: { "^(x+)+$": { type: "number" } },
      properties: { a: { pattern: "^a+$" }, b: { pattern: "^b+$" } },
    });
    expect(validate({ xxxx: 1, a: "aaa", b: "bbb" })).toEqual([]);
    expect(
      validate({ xxxx: "no", a: "b", b: "a" })
        .map((e) => e.pointer)
        .sort(),
    ).toEqual(["/a", "/b", "/xxxx"]);
  });

  it("lists at most MAX_PAYLOAD_ERRORS errors for an array of 2 million numbers against items: string", () => {
    const validate = compileSchema({ items: { type: "string" } });
    const payload = new Array(2_000_000).fill(1);
    const started = performance.now();
    const errors = validate(payload);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(errors.length).toBeLessThanOrEqual(MAX_PAYLOAD_ERRORS + 1);
    expect(errors[0]).toMatchObject({ pointer: "/0", message: "must be string" });
    expect(errors.at(-1)!.message).toBe(
      `has more than ${MAX_PAYLOAD_ERRORS} validation errors; the first is listed, fix it and validate again`,
    );
  });

  it("lists every error while there are few", () => {
    const validate = compileSchema({ items: { type: "string" } });
    expect(validate([1, "a", 2]).map((e) => e.pointer)).toEqual(["/0", "/2"]);
  });

  it("refuses a pattern with lookahead or a backreference, saying why", () => {
    for (const pattern of ["^(?=a)a$", "^(a)\\1$"]) {
      let error: unknown;
      try {
        compileSchema({ type: "string", pattern });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SchemaCompileError);
      expect((error as Error).message).toMatch(
        /cannot be used: .*; the store matches patterns in linear time \(RE2 syntax: no lookahead, lookbehind or backreferences\)/,
      );
    }
  });
});
