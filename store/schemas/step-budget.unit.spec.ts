import { describe, expect, it } from "vitest";
import { loadDecider, mainThreadBudget } from "./decider";
import { instrumentSteps, OverBudget } from "./step-budget";
import { compile } from "./validation";

describe("instrumentSteps", () => {
  it("counts a step at the start of every function and loop body, not inside strings or comments", () => {
    const code = 'function f(a){for(let i=0;i<a.length;i++){g("for(x){", `function(){`);}/* for(y){ */return 1;}';
    expect(instrumentSteps(code, "S;")).toBe(
      'function f(a){S;for(let i=0;i<a.length;i++){S;g("for(x){", `function(){`);}/* for(y){ */return 1;}',
    );
  });

  it("refuses code it does not understand", () => {
    expect(() => instrumentSteps("for(;;) x();", "S;")).toThrow("without a braced body");
    expect(() => instrumentSteps('f("unterminated', "S;")).toThrow("unterminated string");
  });
});

describe("a decider on the main thread", () => {
  it("decides like ajv's own validator, patterns included", () => {
    const schema = {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", pattern: "^(a+)+$" }, tags: { type: "array", items: { type: "string" } } },
    };
    const decide = loadDecider(compile(schema).deciderSource()!);
    expect(mainThreadBudget.within(50, () => decide({ name: "aaaa", tags: ["x"] }))).toBe(true);
    expect(mainThreadBudget.within(50, () => decide({ name: "a".repeat(40) + "!" }))).toBe(false);
    expect(mainThreadBudget.within(50, () => decide({ tags: [1] }))).toBe(false);
  });

  it("stops a recursive anyOf exponential in the payload's depth at its budget", () => {
    const branch = { type: "array", items: { $ref: "#/$defs/tree" } };
    const schema = {
      $defs: { tree: { anyOf: [branch, { ...branch, minItems: 0 }, { ...branch, maxItems: 9 }] } },
      $ref: "#/$defs/tree",
    };
    const decide = loadDecider(compile(schema).deciderSource()!);
    let deep: unknown = 1;
    for (let i = 0; i < 30; i++) deep = [deep];
    const started = performance.now();
    expect(() => mainThreadBudget.within(5, () => decide(deep))).toThrow(OverBudget);
    // Within the budget and a step's check, far below the 3^30 paths ajv would otherwise try.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
