/**
 * A validation worker thread: compiles schemas and parses and validates payloads, one job at a time
 * from the pool (store/schemas/validation-pool.ts), off the store's event loop. A job past its
 * deadline is not stopped here: the pool terminates this thread, which frees everything it held.
 * Between payloads the job looks at its cancel flag, so a caller who gives up stops a long run.
 */
import { parentPort, workerData } from "node:worker_threads";
import { unstorableText } from "../facts/storable";
import { compile, SchemaCompileError, type CompiledSchema, type SchemaProblem } from "./validation";
import {
  CANCEL_INDEX,
  type ItemResult,
  type JobMessage,
  type JobResult,
  type PayloadTransport,
  type ResultMessage,
  type SchemaSource,
  type ValidationJob,
  type WorkerData,
} from "./validation-protocol";

// Compiled schemas kept per worker, by text: a store validates against a few dozen schemas at most;
// the oldest is dropped first.
const MAX_COMPILED = 128;

const { shared } = workerData as WorkerData;
const progress = new Float64Array(shared, 0, 2);
const cancel = new Int32Array(shared);
const compiled = new Map<string, CompiledSchema | { problems: SchemaProblem[] }>();
const decoder = new TextDecoder();

parentPort!.on("message", ({ id, job }: JobMessage) => {
  const reply: ResultMessage = { id, result: run(job) };
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");

function run(job: ValidationJob): JobResult {
  if (job.kind === "compile") {
    const schema = compiledOf(job.schema);
    if ("problems" in schema) return { kind: "compile", problems: schema.problems };
    return { kind: "compile", deciderSource: job.decider ? schema.deciderSource() : undefined };
  }
  const schemas = job.schemas.map(compiledOf);
  const texts = textsOf(job.payloads);
  const results: ItemResult[] = [];
  let failures = 0;
  for (let i = 0; i < job.items.length; i++) {
    if (Atomics.load(cancel, CANCEL_INDEX) !== 0) return { kind: "cancelled", index: i };
    progress[1] = i;
    const item = job.items[i];
    const result = check(
      texts(i),
      item.schema < 0 ? undefined : schemas[item.schema],
      item.storable,
      failures < job.listFailures,
    );
    results.push(result);
    if (!result.ok && ++failures >= (job.stopAfterFailures ?? Infinity)) break;
  }
  return { kind: "check", results };
}

function check(
  text: string,
  schema: CompiledSchema | { problems: SchemaProblem[] } | undefined,
  storable: string | false,
  list: boolean,
): ItemResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `is not valid JSON (${(err as Error).message})` };
  }
  if (storable !== false && text.includes("\\u")) {
    const problem = unstorableText(value, storable);
    if (problem) return { ok: false, problem };
  }
  if (!schema) return { ok: true };
  if ("problems" in schema) return { ok: false, schemaProblems: schema.problems };
  try {
    if (!list) return schema.decide(value) ? { ok: true } : { ok: false, errors: [] };
    const errors = schema.validate(value);
    return errors.length === 0 ? { ok: true } : { ok: false, errors };
  } catch (err) {
    // A recursive schema follows the payload's nesting with the thread's stack.
    if (err instanceof RangeError && /call stack/.test(err.message)) {
      return { ok: false, problem: "is nested too deeply to validate against its schema; flatten it" };
    }
    throw err;
  }
}

function compiledOf(source: SchemaSource): CompiledSchema | { problems: SchemaProblem[] } {
  let schema = compiled.get(source.key);
  if (schema) {
    // Most recently used last: the first key is the one to drop.
    compiled.delete(source.key);
  } else {
    schema = compileText(source.text);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(source.key, schema);
  return schema;
}

function compileText(text: string): CompiledSchema | { problems: SchemaProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { problems: [{ pointer: "", message: `not valid JSON: ${(err as Error).message}` }] };
  }
  try {
    return compile(parsed);
  } catch (err) {
    if (err instanceof SchemaCompileError) return { problems: err.problems };
    throw err;
  }
}

/** Payload i's text, decoded from the transferred bytes when they came as bytes. */
function textsOf(payloads: PayloadTransport): (i: number) => string {
  const bytes = new Uint8Array(payloads.bytes);
  return (i) => decoder.decode(bytes.subarray(i === 0 ? 0 : payloads.ends[i - 1], payloads.ends[i]));
}
