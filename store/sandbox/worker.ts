/**
 * A sandbox worker thread: one QuickJS engine, jobs one at a time from the pool
 * (store/sandbox/pool.ts). Runs off the store's event loop, so a script at its limit delays only
 * the calls queued behind it, never the store's other calls. Results of transformations are
 * validated here too (JSON Schema), so the store's main thread only moves texts.
 */
import { parentPort, workerData } from "node:worker_threads";
import { compileSchema, SchemaCompileError, type PayloadValidator } from "../schemas/validation";
import { EngineBroken, QuickJsEngine } from "./engine";
import type { EngineFailure, Job, JobMessage, JobResult, ResultMessage, WorkerData } from "./protocol";

// Compiled target schemas kept per worker; a chain's target changes rarely, so a few suffice.
const MAX_SCHEMAS = 64;
// Validation errors listed per failing result: enough to see what is wrong.
const MAX_LISTED_ERRORS = 5;

const { limits, heartbeat } = workerData as WorkerData;
const started = new Float64Array(heartbeat);
const engine = await QuickJsEngine.create(limits);
const schemas = new Map<string, PayloadValidator>();

parentPort!.on("message", ({ id, job }: JobMessage) => {
  const begin = performance.now();
  let result: JobResult;
  let broken = false;
  try {
    result = runJob(job);
  } catch (err) {
    if (!(err instanceof EngineBroken)) throw err;
    broken = true;
    result = { ok: false, index: err.index, step: -1, failure: err.failure };
  } finally {
    started[0] = 0;
  }
  const reply: ResultMessage = { id, result, broken, ms: performance.now() - begin };
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");

function runJob(job: Job): JobResult {
  beat(-1);
  const failure = engine.compile(job.key, job.program);
  if (failure) return { ok: false, index: -1, step: -1, failure };
  if (job.kind === "compile") return { ok: true, values: [] };
  const validate = job.kind === "transform" && job.schema ? validatorFor(job.schema) : undefined;
  if (validate && "failure" in validate) return { ok: false, index: -1, step: -1, failure: validate.failure };
  beat(-1);
  // The items come as an array and are joined here: one structured-cloned string of a few hundred
  // KB cost the store's main thread several times what the same texts cost as an array (measured
  // with postMessage to a worker: ~15 against ~2-5 µs per 1 KB item), and the main thread is what a
  // catch-up shares with the workers.
  const count = engine.load(job.key, `[${job.items.join(",")}]`);
  let broken = false;
  try {
    const values: Array<string | boolean> = [];
    while (values.length < count) {
      const from = values.length;
      const outcome = engine.run(job.key, from, () => beat(from));
      if (!outcome.ok) return { ok: false, index: outcome.index, step: outcome.step, failure: outcome.failure };
      if (job.kind === "filter") {
        for (let i = 0; i < outcome.count; i++) values.push(outcome.text.charCodeAt(i) === 49); // "1"
        continue;
      }
      for (const text of outcome.text.split("\n", outcome.count)) {
        const problem = validate && invalidResult(validate.check, text);
        if (problem) return { ok: false, index: values.length, step: -1, failure: problem };
        values.push(text);
      }
    }
    return { ok: true, values };
  } catch (err) {
    broken = err instanceof EngineBroken;
    throw err;
  } finally {
    // A broken engine is not called again: the pool replaces the whole worker.
    if (!broken) engine.unload(job.key);
  }
}

/** Tells the pool's watchdog that an invocation (on item `index`, -1: compile or load) starts now. */
function beat(index: number): void {
  started[1] = index;
  started[0] = Date.now();
}

function validatorFor(schema: { key: string; text: string }): { check: PayloadValidator } | { failure: EngineFailure } {
  let check = schemas.get(schema.key);
  if (!check) {
    try {
      check = compileSchema(JSON.parse(schema.text));
    } catch (err) {
      const detail = err instanceof SchemaCompileError ? err.message : (err as Error).message;
      return { failure: { kind: "invalid", message: `the target version's schema cannot be compiled: ${detail}` } };
    }
    if (schemas.size >= MAX_SCHEMAS) schemas.delete(schemas.keys().next().value!);
    schemas.set(schema.key, check);
  }
  return { check };
}

function invalidResult(check: PayloadValidator, text: string): EngineFailure | undefined {
  const errors = check(JSON.parse(text));
  if (errors.length === 0) return undefined;
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.pointer || "/"} ${e.message}`);
  const more = errors.length > listed.length ? `; … ${errors.length - listed.length} more` : "";
  return { kind: "invalid", message: `the result does not match the target schema: ${listed.join("; ")}${more}` };
}
