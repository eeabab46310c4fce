// The validation workers for real (worker threads, not mocks): where payloads are checked, what
// callers are told, deadlines and cancellation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationBudgetError } from "../errors";
import { INLINE_BYTES, PayloadChecks, schemaKey } from "./payload-checks";
import { ValidationPool } from "./validation-pool";

let pool: ValidationPool;
let checks: PayloadChecks;
// Long enough that a cancel (~0.5 s) is told apart from the deadline on a loaded machine.
const TIME_MS = 5_000;

function schemaOf(value: unknown, name = "ns/T/v1") {
  const text = JSON.stringify(value);
  return { key: schemaKey(text), text, name };
}

beforeAll(async () => {
  pool = new ValidationPool({
    workers: 1,
    timeoutMs: TIME_MS,
    maxQueuedJobs: 10,
    maxQueuedChars: 1e8,
    maxWaitMs: 60_000,
  });
  await pool.warm();
  checks = new PayloadChecks(pool);
}, 60_000);
afterAll(() => pool.close());

describe("payload checks", () => {
  it("check small payloads inline once the schema's decider is loaded, large ones in a worker", async () => {
    const schema = schemaOf({ type: "object", required: ["a"], properties: { a: { type: "string" } } });
    const small = Buffer.from('{"a":"x"}');
    expect(await checks.check([{ payload: small, label: "fact[0].payload", schema }])).toEqual([{ ok: true }]);
    // The first call went to a worker, which compiled the schema; its decider then loads here.
    for (let i = 0; i < 400 && checks.counts.inline === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await checks.check([{ payload: small, label: "fact[0].payload", schema }]);
    }
    expect(checks.counts.inline).toBeGreaterThan(0);
    const worker = checks.counts.worker;
    const large = Buffer.from(JSON.stringify({ a: "x".repeat(INLINE_BYTES) }));
    expect(await checks.check([{ payload: large, label: "fact[0].payload", schema }])).toEqual([{ ok: true }]);
    expect(checks.counts.worker).toBe(worker + 1);
    const [failed] = await checks.check([{ payload: '{"a":1}', label: "payload_json", schema }]);
    expect(failed).toMatchObject({ ok: false, errors: [{ pointer: "/a", message: "must be string" }] });
  }, 60_000);

  it("say what to fix: not JSON, text PostgreSQL cannot store, nested deeper than validation can follow", async () => {
    const schema = schemaOf({ $defs: { t: { type: "array", items: { $ref: "#/$defs/t" } } }, $ref: "#/$defs/t" });
    const [notJson] = await checks.check([{ payload: "{", label: "examples[0]", schema }]);
    expect(notJson).toMatchObject({ ok: false, problem: expect.stringMatching(/^examples\[0\] is not valid JSON/) });
    const big = `["${"x".repeat(INLINE_BYTES)}", "\\u0000"]`;
    const [nul] = await checks.check([{ payload: Buffer.from(big), label: "fact[3].payload", storable: true }]);
    expect(nul).toEqual({
      ok: false,
      problem: "fact[3].payload[1] contains \\u0000, which PostgreSQL cannot store; remove it",
    });
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const [tooDeep] = await checks.check([{ payload: deep, label: "fact[0].payload", schema }]);
    expect(tooDeep).toEqual({
      ok: false,
      problem: "fact[0].payload is nested too deeply to validate against its schema; flatten it",
    });
  }, 60_000);

  it("stop a validation past its deadline, naming the payload and the schema, and replace the worker", async () => {
    const branch = { type: "array", items: { $ref: "#/$defs/t" } };
    const schema = schemaOf(
      { $defs: { t: { anyOf: [branch, { ...branch, minItems: 0 }] } }, $ref: "#/$defs/t" },
      "ns/Tree/v2",
    );
    const deep = "[".repeat(40) + "1" + "]".repeat(40);
    const err = await checks.check([{ payload: deep, label: "fact[1].payload", schema }]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ValidationBudgetError);
    expect((err as Error).message).toContain(
      `fact[1].payload took longer than ${TIME_MS / 1000} s to validate against ns/Tree/v2`,
    );
    expect(pool.stats().failures.time).toBe(1);
    // The next job gets a fresh worker.
    expect(await checks.check([{ payload: Buffer.from("[".repeat(70_000) + "]".repeat(70_000)), label: "p" }])).toEqual(
      [{ ok: true }],
    );
  }, 60_000);

  it("stop when the caller cancels, well before the deadline", async () => {
    const branch = { type: "array", items: { $ref: "#/$defs/t" } };
    const schema = schemaOf(
      { $defs: { t: { anyOf: [branch, { ...branch, minItems: 0 }] } }, $ref: "#/$defs/t" },
      "ns/Tree/v3",
    );
    const deep = "[".repeat(40) + "1" + "]".repeat(40);
    const cancel = new AbortController();
    const started = performance.now();
    const running = checks.check(
      Array.from({ length: 5 }, (_, i) => ({ payload: deep, label: `fact ${i}`, schema })),
      { signal: cancel.signal },
    );
    setTimeout(() => cancel.abort(new Error("cancelled by the caller")), 300);
    await expect(running).rejects.toThrow("cancelled by the caller");
    expect(performance.now() - started).toBeLessThan(TIME_MS);
    await expect.poll(() => pool.stats().busy, { timeout: 5_000 }).toBe(0);
  }, 60_000);
});
