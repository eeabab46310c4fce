// Hostile transformation code over real gRPC (issue #15's list): each script fails its own call with
// FactCast's TransformationException while the store keeps answering and its memory comes back, and
// a script that pollutes prototypes and globals changes only its own context.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catchUp, errorDetails, expectFailure, slowestAnswerWhile } from "../support/client.js";
import { fact, idOf, publish, uniqueName } from "../support/facts.js";
import {
  fetchAs,
  idAndVersion,
  schema,
  TRANSFORMATION_EXCEPTION,
  userCreated,
  useTransformationStore,
} from "./transformations-support.js";

const ctx = useTransformationStore("transformations_hostile");

/** The store's resident memory (Linux), in MB. */
function storeRssMb(): number {
  const status = readFileSync(`/proc/${ctx.fx.store.process.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe("hostile transformation code", () => {
  const scripts: Array<[string, string, RegExp]> = [
    ["throws", `function (e) { throw new Error("refusing " + e.firstName); }`, /Error: refusing Ada/],
    ["loops forever", `function (e) { for (;;) {} }`, /time limit of \d+ ms/],
    [
      "allocates without end",
      `function (e) { var a = []; for (;;) a.push(new Uint8Array(16 * 1024 * 1024)); }`,
      /memory limit of \d+ MB/,
    ],
    [
      "requires fs",
      `function (e) { e.fs = require("fs").readFileSync("/etc/passwd", "utf8"); }`,
      /'require' is not defined/,
    ],
    ["calls process.exit()", `function (e) { process.exit(1); }`, /'process' is not defined/],
    [
      "reaches for globalThis.constructor",
      `function (e) { e.p = globalThis.constructor.constructor("return process")().pid; }`,
      /TypeError|ReferenceError/,
    ],
    [
      "reaches for this.constructor.constructor",
      `function (e) { this.constructor.constructor("return process")().exit(1); }`,
      /TypeError|ReferenceError/,
    ],
    ["builds a Function", `function (e) { e.pid = Function("return process")().pid; }`, /'process' is not defined/],
    ["sets a timer", `function (e) { setTimeout(function () { e.late = true; }, 0); }`, /'setTimeout' is not defined/],
    ["is async", `async function (e) { await null; e.late = true; }`, /returned a Promise: it must change e in place/],
    [
      "allocates 1 GB at once",
      `function (e) { e.size = new ArrayBuffer(1024 * 1024 * 1024).byteLength; }`,
      /memory limit of \d+ MB/,
    ],
  ];

  it("each fails its own call with TransformationException; the store answers within 1 s meanwhile and its memory comes back", async () => {
    // Warm up: a worker has started and transformed once, so its memory is in the baseline.
    const { ns, type } = await userCreated(ctx);
    const ok = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    await publish(ctx.fx.client, [ok]);
    await fetchAs(ctx, idOf(ok), 2);
    const baseline = storeRssMb();

    for (const [name, code, message] of scripts) {
      const ns = uniqueName("hostile");
      const t = "Victim";
      await ctx.registry.registerSchema({ key: { ns, type: t, version: 1 }, schemaJson: schema(["firstName"]) });
      await ctx.registry.registerSchema({ key: { ns, type: t, version: 2 }, schemaJson: schema(["firstName"]) });
      await ctx.transformations.registerTransformation({ key: { ns, type: t, fromVersion: 1, toVersion: 2 }, code });
      const victim = fact({ ns, type: t, version: 1, payload: { firstName: "Ada" } });
      await publish(ctx.fx.client, [victim]);

      const call = expectFailure(ctx.fx.client.fetchByIdAndVersion(idAndVersion(idOf(victim), 2)));
      const slowest = await slowestAnswerWhile(ctx.fx.client, call);
      const err = await call;
      expect(err.exception, `${name}: ${err.message}`).toBe(TRANSFORMATION_EXCEPTION);
      expect(err.exceptionMessage, name).toMatch(message);
      expect(err.exceptionMessage, name).toContain(idOf(victim));
      expect(slowest, `${name}: latestSerial took ${slowest} ms`).toBeLessThan(1_000);

      const sub = await catchUp(ctx.fx.client, { specs: [{ ns, type: t, version: 2 }] });
      expect(errorDetails(sub.end.error).exception, name).toBe(TRANSFORMATION_EXCEPTION);
      // The fact asked as published is not touched by any of it.
      expect((await fetchAs(ctx, idOf(victim), 0))!.payloadText).toBe(victim.payload);
    }
    // Workers that broke a limit were replaced; the next transformation runs on a fresh one.
    expect(JSON.parse((await fetchAs(ctx, idOf(ok), 3))!.payloadText).displayName).toBe("Ada L");
    const after = storeRssMb();
    expect(after, `RSS ${baseline.toFixed(0)} MB before, ${after.toFixed(0)} MB after`).toBeLessThan(baseline + 64);
  }, 300_000);

  it("a script that pollutes prototypes and globals changes only its own context: other types' scripts and the store see nothing", async () => {
    const polluter = uniqueName("polluter");
    const reader = uniqueName("reader");
    for (const ns of [polluter, reader]) {
      for (const version of [1, 2]) {
        await ctx.registry.registerSchema({ key: { ns, type: "T", version }, schemaJson: "{}" });
      }
    }
    await ctx.transformations.registerTransformation({
      key: { ns: polluter, type: "T", fromVersion: 1, toVersion: 2 },
      code: `function (e) {
        Object.prototype.polluted = "yes";
        Array.prototype.map = function () { return ["hacked"]; };
        JSON.stringify = function () { return '{"hacked":true}'; };
        JSON.parse = function () { return { hacked: true }; };
        e.done = true;
      }`,
    });
    await ctx.transformations.registerTransformation({
      key: { ns: reader, type: "T", fromVersion: 1, toVersion: 2 },
      code: `function (e) { e.seen = typeof ({}).polluted + " " + [1].map(function (x) { return x + 1; })[0]; }`,
    });
    const dirty = [1, 3].map((n) => fact({ ns: polluter, type: "T", version: 1, payload: { n } }));
    const clean = fact({ ns: reader, type: "T", version: 1, payload: { n: 2 } });
    await publish(ctx.fx.client, [...dirty, clean]);

    // The polluter's own result is what it did to e, written by the wrapper's own JSON.stringify;
    // two facts, so the second run meets the context the first one polluted.
    for (const [i, n] of [1, 3].entries()) {
      expect(JSON.parse((await fetchAs(ctx, idOf(dirty[i]), 2))!.payloadText)).toEqual({ n, done: true });
    }
    expect(JSON.parse((await fetchAs(ctx, idOf(clean), 2))!.payloadText)).toEqual({ n: 2, seen: "undefined 2" });
    // The store's own objects: a plain read and a catch-up are untouched.
    expect((await fetchAs(ctx, idOf(dirty[0]), 0))!.payloadText).toBe(dirty[0].payload);
    const plain = await catchUp(ctx.fx.client, { specs: [{ ns: polluter }] });
    expect(plain.facts().map((f) => f.payloadText)).toEqual(dirty.map((f) => f.payload));
  }, 60_000);
});
