/**
 * Where payloads are parsed and validated: inline on the main thread when that is cheap and
 * bounded, in the validation workers (store/schemas/validation-pool.ts) otherwise.
 *
 * Inline when the call's payloads together are at most INLINE_CHARS and every schema involved has a
 * decider loaded (store/schemas/decider.ts; the first payload of a schema goes to a worker, which
 * compiles it and sends the decider's source back for the next ones). The inline pass has a time
 * budget of INLINE_MS; a payload that fails its schema, or a pass that runs past the budget, is
 * handed to a worker as a whole, which lists the errors — or stops at its deadline and says so.
 */
import { createHash } from "node:crypto";
import { ValidationBudgetError } from "../errors";
import { log } from "../log";
import { unstorableText } from "../facts/storable";
import { loadDecider, mainThreadBudget, type Decider } from "./decider";
import { OverBudget } from "./step-budget";
import type { PayloadError, SchemaProblem } from "./validation";
import { ValidationLimitError, type ValidationPool } from "./validation-pool";
import type { CheckItem, ItemResult, SchemaSource } from "./validation-protocol";

// Payload bytes one call may have parsed and validated on the main thread. Measured (quiet
// machine, see the README's Limits): parsing and validating costs ~5–15 µs per KB inline, and a
// worker round trip ~40–100 µs plus copying; 64 KiB keep a call's inline work under ~1 ms while
// every publish of small facts stays inline. Past it a worker takes the whole call.
export const INLINE_BYTES = 64 * 1024;
// The inline pass's budget: far beyond what 64 KiB of honest payload needs (~1 ms), short enough
// that a schema exponential for the payload delays other calls by no more than this.
export const INLINE_MS = 5;
// Deciders kept on the main thread: a store validates against a few dozen schemas at once; the
// least recently used is dropped first.
const MAX_DECIDERS = 256;
// A decider's source (ajv's standalone code) larger than this is not loaded on the main thread:
// V8 compiles a function when it is first called, which for megabytes of code takes milliseconds.
const MAX_DECIDER_SOURCE = 512 * 1024;

/** A schema to check payloads against (`key`: schemaKey(text)), and the name messages give it ("ns/type/v3"). */
export interface SchemaToCheck extends SchemaSource {
  name: string;
}

export interface PayloadToCheck {
  /** The JSON text as the caller sent it (UTF-8 bytes, or text read back from PostgreSQL). */
  payload: string | Buffer;
  /** How messages name it: "fact[2].payload", "examples[0]". */
  label: string;
  schema?: SchemaToCheck;
  /** Refuse text PostgreSQL cannot store (payloads about to be stored). */
  storable?: boolean;
}

export type PayloadOutcome =
  | { ok: true }
  /** Not JSON, or text PostgreSQL cannot store: what to fix, naming the payload by its label. */
  | { ok: false; problem: string }
  /** Does not match its schema; `errors` is empty for a failure beyond `listFailures`. */
  | { ok: false; errors: PayloadError[] }
  /** Its schema does not compile; `notJson` when its text is not even JSON. */
  | { ok: false; schemaProblems: SchemaProblem[] };

export interface CheckOptions {
  signal?: AbortSignal;
  /** Failing payloads whose errors are listed (the rest fail without a list). */
  listFailures?: number;
  /** Stop after this many failures: the outcomes then end early. */
  stopAfterFailures?: number;
}

export class PayloadChecks {
  private readonly deciders = new Map<string, Decider | null>();
  private readonly preparing = new Map<string, Promise<void>>();
  /** How many calls were checked where, for metrics. */
  readonly counts = { inline: 0, worker: 0 };

  constructor(readonly pool: ValidationPool) {}

  /** Parses each payload and checks it against its schema, if any; one outcome per payload. */
  async check(items: PayloadToCheck[], options: CheckOptions = {}): Promise<PayloadOutcome[]> {
    if (items.length === 0) return [];
    const inline = this.inline(items);
    if (inline) {
      this.counts.inline++;
      return inline;
    }
    this.counts.worker++;
    return this.inWorker(items, options);
  }

  /**
   * Compiles a schema in a worker: undefined when it compiles, else its problems (with `notJson`
   * set when the text is not JSON).
   */
  async compile(schema: SchemaSource, signal?: AbortSignal): Promise<SchemaProblem[] | undefined> {
    try {
      const result = await this.pool.run(
        { kind: "compile", schema, decider: false },
        { chars: schema.text.length, signal },
      );
      return result.kind === "compile" ? result.problems : undefined;
    } catch (err) {
      if (err instanceof ValidationLimitError) throw compileLimit(err);
      throw err;
    }
  }

  /** The inline pass, or undefined when the call must go to a worker. */
  private inline(items: PayloadToCheck[]): PayloadOutcome[] | undefined {
    let chars = 0;
    for (const item of items) chars += item.payload.length;
    if (chars > INLINE_BYTES) return undefined;
    const deciders: Array<Decider | undefined> = [];
    let ready = true;
    for (const item of items) {
      if (!item.schema) {
        deciders.push(undefined);
        continue;
      }
      const decider = this.deciderFor(item.schema);
      if (!decider) ready = false;
      deciders.push(decider);
    }
    if (!ready) return undefined;
    try {
      return mainThreadBudget.within(INLINE_MS, () => {
        const outcomes: PayloadOutcome[] = [];
        for (let i = 0; i < items.length; i++) {
          const outcome = checkInline(items[i], deciders[i]);
          if (!outcome) return undefined;
          outcomes.push(outcome);
        }
        return outcomes;
      });
    } catch (err) {
      // Past the budget, or a payload nested deeper than the main thread's stack: a worker decides.
      if (err instanceof OverBudget || (err instanceof RangeError && /call stack/.test(err.message))) return undefined;
      throw err;
    }
  }

  /** The loaded decider of a schema, or undefined (then its compile is started for the next call). */
  private deciderFor({ key, text }: SchemaSource): Decider | undefined {
    const decider = this.deciders.get(key);
    if (decider !== undefined) {
      // Most recently used last: the first key is the one to drop.
      this.deciders.delete(key);
      this.deciders.set(key, decider);
      return decider ?? undefined;
    }
    if (!this.preparing.has(key)) {
      const preparing = this.prepare({ key, text }).finally(() => this.preparing.delete(key));
      this.preparing.set(key, preparing);
    }
    return undefined;
  }

  private async prepare(schema: SchemaSource): Promise<void> {
    let decider: Decider | null = null;
    try {
      const result = await this.pool.run({ kind: "compile", schema, decider: true }, { chars: schema.text.length });
      const source = result.kind === "compile" ? result.deciderSource : undefined;
      if (source !== undefined && source.length <= MAX_DECIDER_SOURCE) decider = loadDecider(source);
    } catch (err) {
      // The schema stays with the workers, which report its problems or limits with each payload.
      if (!(err instanceof ValidationLimitError))
        log.debug("no inline decider for a schema", { error: (err as Error).message });
    }
    if (this.deciders.size >= MAX_DECIDERS) this.deciders.delete(this.deciders.keys().next().value!);
    this.deciders.set(schema.key, decider);
  }

  private async inWorker(items: PayloadToCheck[], options: CheckOptions): Promise<PayloadOutcome[]> {
    const schemas: SchemaSource[] = [];
    const indexOfSchema = new Map<string, number>();
    let chars = 0;
    const checks: CheckItem[] = items.map((item) => {
      chars += item.payload.length;
      let schema = -1;
      if (item.schema) {
        const { key } = item.schema;
        schema = indexOfSchema.get(key) ?? -1;
        if (schema < 0) {
          schema = schemas.push({ key, text: item.schema.text }) - 1;
          indexOfSchema.set(key, schema);
          chars += item.schema.text.length;
        }
      }
      return { schema, storable: item.storable ? item.label : false };
    });
    const payloads = packed(items);
    let results: ItemResult[];
    try {
      const result = await this.pool.run(
        {
          kind: "check",
          schemas,
          items: checks,
          payloads,
          listFailures: options.listFailures ?? items.length,
          stopAfterFailures: options.stopAfterFailures,
        },
        { chars, signal: options.signal, transfer: [payloads.bytes] },
      );
      if (result.kind !== "check") throw new Error(`a validation worker answered a check with ${result.kind}`);
      results = result.results;
    } catch (err) {
      if (err instanceof ValidationLimitError) throw payloadLimit(err, items);
      throw err;
    }
    // The worker's words, prefixed with the payload's label unless they name a place in it already
    // (text PostgreSQL cannot store is located by its path, which starts with the label).
    return results.map((r, i) => {
      if (r.ok || !("problem" in r)) return r;
      const { label } = items[i];
      return { ok: false, problem: r.problem.startsWith(label) ? r.problem : `${label} ${r.problem}` };
    });
  }
}

/**
 * The payloads as one buffer of UTF-8 bytes, handed to the worker without another copy: the only
 * copy made of a payload on its way (its own bytes stay here, to be stored).
 */
function packed(items: PayloadToCheck[]): { bytes: ArrayBuffer; ends: number[] } {
  let length = 0;
  for (const { payload } of items) length += typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  const bytes = new ArrayBuffer(length);
  const view = Buffer.from(bytes);
  const ends: number[] = [];
  let at = 0;
  for (const { payload } of items) {
    at += typeof payload === "string" ? view.write(payload, at) : payload.copy(view, at);
    ends.push(at);
  }
  return { bytes, ends };
}

/** One payload on the main thread: its outcome, or undefined when a worker must look at it. */
function checkInline(item: PayloadToCheck, decider: Decider | undefined): PayloadOutcome | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof item.payload === "string" ? item.payload : item.payload.toString("utf8"));
  } catch (err) {
    return { ok: false, problem: `${item.label} is not valid JSON (${(err as Error).message})` };
  }
  if (item.storable && item.payload.includes("\\u")) {
    const problem = unstorableText(value, item.label);
    if (problem) return { ok: false, problem };
  }
  if (decider && !decider(value)) return undefined; // a worker lists the errors
  return { ok: true };
}

function payloadLimit(err: ValidationLimitError, items: PayloadToCheck[]): ValidationBudgetError {
  const item = items[Math.max(0, err.index)];
  const seconds = err.timeoutMs / 1000;
  if (err.limit === "memory") {
    return new ValidationBudgetError(
      `${item.label} needs more memory to ${item.schema ? "validate" : "parse"} than the store gives a validation worker; send a smaller payload`,
    );
  }
  if (!item.schema) {
    return new ValidationBudgetError(
      `${item.label} took longer than ${seconds} s to parse and was stopped; send a smaller payload`,
    );
  }
  return new ValidationBudgetError(
    `${item.label} took longer than ${seconds} s to validate against ${item.schema.name} and was stopped; ` +
      "send a smaller payload, or simplify the schema (anyOf/oneOf over recursive $refs can take time exponential in the payload's depth)",
  );
}

function compileLimit(err: ValidationLimitError): ValidationBudgetError {
  return new ValidationBudgetError(
    err.limit === "memory"
      ? "the schema needs more memory to compile than the store gives a validation worker; split it into smaller schemas"
      : `the schema took longer than ${err.timeoutMs / 1000} s to compile and was stopped; split it into smaller schemas`,
  );
}

/** What identifies a schema text for the deciders and the workers' caches: computed once per text. */
export function schemaKey(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}
