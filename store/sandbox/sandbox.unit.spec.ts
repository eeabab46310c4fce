import { afterAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { Sandbox } from "./sandbox";

// Workers start on first use (~1 s of CPU): on a loaded CI machine that alone can pass vitest's 5 s.
vi.setConfig({ testTimeout: 60_000 });

// Limits below the defaults (store/config.ts) keep the breaking cases quick. The time limit is wall
// time on the worker's thread, so on a CI machine loaded many times over even a small batch can take
// several hundred ms: 2 s leaves ordinary work far from it while a runaway loop still stops soon.
const sandbox = new Sandbox({ workers: 2, timeMs: 2_000, memoryBytes: 64 * 1024 * 1024 });
afterAll(() => sandbox.close());

const user = (i: number) => JSON.stringify({ firstName: `Ada${i}`, lastName: "Lovelace" });

describe("transformations", () => {
  it("runs a chain of steps in order on each payload, changing it in place", async () => {
    const payloads = Array.from({ length: 1200 }, (_, i) => user(i));
    const outcome = await sandbox.transform(
      [
        "function (e) { e.displayName = e.firstName + ' ' + e.lastName; }",
        "function (e) { delete e.firstName; return 42; }",
      ],
      payloads,
      undefined,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.payloads).toHaveLength(1200);
    expect(JSON.parse(outcome.payloads[1199])).toEqual({ lastName: "Lovelace", displayName: "Ada1199 Lovelace" });
  });
  it("names the failing payload and step", async () => {
    const outcome = await sandbox.transform(
      ["function (e) { e.n = 1; }", "function (e) { if (e.firstName === 'Ada7') throw new Error('no Ada7'); }"],
      Array.from({ length: 10 }, (_, i) => user(i)),
      undefined,
    );
    expect(outcome).toMatchObject({ ok: false, index: 7, step: 1, failure: { kind: "error" } });
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/Error: no Ada7 \(step 2, line 1, column \d+\)/);
  });
  it("names the first failing fact of a chunk split across jobs, a runaway one included", async () => {
    // 1,500 facts are several jobs on both workers; a later job's failure must not hide an earlier one.
    const payloads = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ i, pad: "p".repeat(900) }));
    const runaway = "function (e) { if (e.i === 1300) for (;;) {} }";
    const both = await sandbox.transform(
      [`function (e) { if (e.i === 1100) throw new Error('no 1100'); }`, runaway],
      payloads,
      undefined,
    );
    expect(both).toMatchObject({ ok: false, index: 1100, step: 0, failure: { kind: "error" } });
    const looping = await sandbox.transform([runaway], payloads, undefined);
    expect(looping).toMatchObject({ ok: false, index: 1300, failure: { kind: "timeout" } });
    const fine = await sandbox.transform(["function (e) { e.ok = true; }"], payloads, undefined);
    expect(fine.ok && fine.payloads.map((p) => (JSON.parse(p) as { i: number; ok: boolean }).i)).toEqual(
      payloads.map((_, i) => i),
    );
  });
  it("validates each result against the target schema", async () => {
    const schema = { key: "s1", text: JSON.stringify({ type: "object", required: ["displayName"] }) };
    const outcome = await sandbox.transform(["function (e) {}"], [user(1)], schema);
    expect(outcome).toMatchObject({ ok: false, index: 0, failure: { kind: "invalid" } });
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/\/displayName/);
  });
  it("refuses an async transformation by name: what it would do after an await would never happen", async () => {
    for (const code of [
      "async function (e) { await null; e.late = 1; }",
      "function (e) { return Promise.resolve(e); }",
    ]) {
      const outcome = await sandbox.transform([code], [user(1)], undefined);
      expect(outcome, code).toMatchObject({ ok: false, index: 0, step: 0, failure: { kind: "error" } });
      if (!outcome.ok) expect(outcome.failure.message).toMatch(/returned a Promise: it must change e in place/);
    }
    // Returning the payload itself, as some transform.js files do, stays fine.
    const outcome = await sandbox.transform(["function (e) { e.x = 1; return e; }"], [user(1)], undefined);
    expect(outcome.ok && JSON.parse(outcome.payloads[0]).x).toBe(1);
  });
  it("tolerates the trailing semicolon and line comment of a transform.js file", async () => {
    for (const code of ["function (e) { e.x = 1 };\n", "function (e) { e.x = 1 } // upcast"]) {
      const outcome = await sandbox.transform([code], [user(1)], undefined);
      expect(outcome.ok && JSON.parse(outcome.payloads[0]).x, code).toBe(1);
    }
  });
  it("reports code that does not compile or is no function", async () => {
    expect(await sandbox.checkTransformation("function (e) { e.x = ; }")).toMatchObject({ kind: "compile" });
    expect(await sandbox.checkTransformation("42")).toMatchObject({
      kind: "compile",
      message: expect.stringMatching(/not a function/),
    });
    expect(await sandbox.checkTransformation("function (e) { e.x = 1; }")).toBeUndefined();
  });
});

describe("filter scripts", () => {
  const facts = Array.from({ length: 20 }, (_, i) => ({
    header: JSON.stringify({ id: `${i}`, ns: "n", hit: i % 2 === 0 ? "me" : "you" }),
    payload: JSON.stringify({ n: i }),
  }));
  it("pass facts for which the function returns true", async () => {
    const outcome = await sandbox.filter("function (h, p) { return h.hit == 'me' && p.n < 10 }", "a", facts);
    expect(outcome.ok && outcome.pass.filter(Boolean)).toHaveLength(5);
  });
  it("accept a named function and a function of the header only", async () => {
    const outcome = await sandbox.filter("function keep(h) { return true }", "a", facts);
    expect(outcome.ok && outcome.pass.every(Boolean)).toBe(true);
  });
  it("fail on a result that is not a boolean, naming it", async () => {
    const outcome = await sandbox.filter("function (h) { return h.hit }", "a", facts);
    expect(outcome).toMatchObject({ ok: false, index: 0 });
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/returned the string "me"; it must return true or false/);
  });
  it("keep what a script remembers apart per scope", async () => {
    const script = "function (h) { globalThis.seen = (globalThis.seen || 0) + 1; return globalThis.seen === 1; }";
    const a = await sandbox.filter(script, "scope-a", facts.slice(0, 1));
    const b = await sandbox.filter(script, "scope-b", facts.slice(0, 1));
    expect(a.ok && a.pass).toEqual([true]);
    expect(b.ok && b.pass).toEqual([true]);
  });
});

describe("the sandbox", () => {
  const probe = async (source: string) => sandbox.filter(source, "probe", [{ header: "{}", payload: "{}" }]);

  it.each([
    ["require", "function () { return typeof require !== 'undefined' }"],
    ["process", "function () { return typeof process !== 'undefined' }"],
    ["timers", "function () { return typeof setTimeout !== 'undefined' || typeof setInterval !== 'undefined' }"],
    ["network", "function () { return typeof fetch !== 'undefined' || typeof XMLHttpRequest !== 'undefined' }"],
    ["WebAssembly", "function () { return typeof WebAssembly !== 'undefined' }"],
    [
      "the host via constructors",
      "function () { return typeof this.constructor.constructor('return typeof process')() === 'string' && this.constructor.constructor('return typeof process')() !== 'undefined' }",
    ],
  ])("offers no %s", async (_what, source) => {
    expect(await probe(source)).toEqual({ ok: true, pass: [false] });
  });

  it.each([
    [
      "require('fs')",
      "function () { require('fs'); return true }",
      /ReferenceError: 'require' is not defined \(line 1, column \d+\)/,
    ],
    ["process.exit()", "function () { process.exit(1); return true }", /ReferenceError: 'process' is not defined/],
    [
      "the Function constructor",
      "function () { return this.constructor.constructor('return process')().exit() }",
      /'process' is not defined/,
    ],
    ["globalThis.constructor", "function () { return globalThis.constructor('return process')() }", /.+/],
    ["deep recursion", "function f(h) { return f(h) }", /recursion too deep/],
    [
      "Function('return process')",
      "function () { return Function('return process')() !== null }",
      /'process' is not defined/,
    ],
    ["setTimeout", "function () { setTimeout(function () {}, 0); return true }", /'setTimeout' is not defined/],
    ["an async function", "async function () { return true }", /returned a Promise \(no async function/],
  ])("fails %s within the call", async (_what, source, message) => {
    const outcome = await probe(source);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.failure.message).toMatch(message);
  });

  it("stops an endless loop at its time limit while the event loop keeps running", async () => {
    const before = sandbox.stats().restarts;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = performance.now();
    const outcome = await probe("function () { for (;;) {} }");
    clearInterval(timer);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "timeout" } });
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/time limit of 2000 ms/);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(ticks).toBeGreaterThan(5); // the main thread was never blocked
    expect(sandbox.stats().restarts).toBe(before + 1);
    expect(await probe("function () { return true }")).toEqual({ ok: true, pass: [true] });
  });

  it("fails a 1 GB allocation and an allocation without end at the memory limit", async () => {
    // A time limit far beyond what filling 64 MB takes even on a loaded machine, so memory is what
    // stops these (the time limit is wall time; see docs/sandbox.md).
    const roomy = new Sandbox({ workers: 1, timeMs: 60_000, memoryBytes: 64 * 1024 * 1024 });
    const probe = (source: string) => roomy.filter(source, "probe", [{ header: "{}", payload: "{}" }]);
    onTestFinished(() => roomy.close());
    for (const source of [
      "function () { return new ArrayBuffer(1024 * 1024 * 1024).byteLength > 0 }",
      "function () { var a = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      "function () { var s = []; for (;;) s.push('x'.repeat(1000000) + s.length); }",
    ]) {
      const outcome = await probe(source);
      expect(outcome, source).toMatchObject({ ok: false, failure: { kind: "memory" } });
      if (!outcome.ok) expect(outcome.failure.message).toMatch(/memory limit of 64 MB/);
    }
    expect(await probe("function () { return true }")).toEqual({ ok: true, pass: [true] });
    // Three worker restarts: on a machine loaded 15 times over (measured) each took 17–34 s.
  }, 240_000);

  it("counts runs and failures for metrics", async () => {
    const seen: string[] = [];
    const stop = sandbox.observe((run) => seen.push(`${run.kind}:${run.outcome}`));
    await probe("function () { return true }");
    await probe("function () { throw new Error('x') }");
    stop();
    expect(seen).toEqual(["filter:ok", "filter:error"]);
    const stats = sandbox.stats();
    expect(stats.runs.filter).toBeGreaterThan(0);
    expect(stats.failures.timeout).toBeGreaterThan(0);
  });
});
