/**
 * What the store asks of its sandbox: check that a script compiles, transform payloads through a
 * chain of steps, filter facts with a script. Splits large batches so that every worker takes part
 * (one catch-up read of ~1,500 facts becomes a few jobs running side by side).
 */
import { SandboxPool, type SandboxRun, type SandboxStats } from "./pool";
import type { EngineFailure, Job, JobResult, SandboxLimits } from "./protocol";
import { filterProgram, programKey, transformationProgram } from "./scripts";

// Payload bytes per job: large enough that the per-job cost (a message each way, parsing the batch
// inside QuickJS) is small beside the scripts, small enough that a read splits across workers.
const JOB_BYTES = 256 * 1024;
const JOB_ITEMS = 500;

export type TransformOutcome =
  | { ok: true; payloads: string[] }
  /** index: the payload that failed; step: the chain step (0-based) running then, -1 if none. */
  | { ok: false; index: number; step: number; failure: EngineFailure };

export type FilterOutcome = { ok: true; pass: boolean[] } | { ok: false; index: number; failure: EngineFailure };

export interface SandboxOptions extends SandboxLimits {
  workers: number;
}

export class Sandbox {
  private readonly pool: SandboxPool;

  constructor(options: SandboxOptions) {
    this.pool = new SandboxPool(options.workers, { timeMs: options.timeMs, memoryBytes: options.memoryBytes });
  }

  get limits(): SandboxLimits {
    return this.pool.limits;
  }

  /** Whether a transformation's code compiles to a function; the failure says why not. */
  async checkTransformation(code: string): Promise<EngineFailure | undefined> {
    return this.compile(transformationJob([code]));
  }

  /** Whether a filter script compiles to a function; the failure says why not. */
  async checkFilter(source: string): Promise<EngineFailure | undefined> {
    return this.compile(filterJob(source, "check"));
  }

  /**
   * Runs `payloads` (JSON texts) through the chain's step codes, in order, each result validated
   * against `schema` when given (the target version's JSON Schema; `key` identifies its text).
   */
  async transform(
    codes: readonly string[],
    payloads: readonly string[],
    schema: { key: string; text: string } | undefined,
    signal?: AbortSignal,
  ): Promise<TransformOutcome> {
    if (codes.length === 0 && !schema) return { ok: true, payloads: [...payloads] };
    const base = transformationJob(codes);
    const results = await this.split(payloads, (batch) => ({ ...base, items: batch, schema }), signal);
    const failed = firstFailure(results);
    if (failed) return { ok: false, index: failed.index, step: failed.result.step, failure: failed.result.failure };
    return { ok: true, payloads: results.flatMap((r) => (r.result as { values: string[] }).values) };
  }

  /**
   * Evaluates a filter script on facts (header and payload JSON texts). `scope` keeps compiled
   * scripts apart by caller (the account): a script cannot carry what it saw to another caller.
   */
  async filter(
    source: string,
    scope: string,
    facts: ReadonlyArray<{ header: string; payload: string }>,
    signal?: AbortSignal,
  ): Promise<FilterOutcome> {
    const base = filterJob(source, scope);
    const items = facts.map((f) => `[${f.header},${f.payload}]`);
    const results = await this.split(items, (batch) => ({ ...base, items: batch }), signal);
    const failed = firstFailure(results);
    if (failed) return { ok: false, index: failed.index, failure: failed.result.failure };
    return { ok: true, pass: results.flatMap((r) => (r.result as { values: boolean[] }).values) };
  }

  /** Calls `listener` after every job (kind, facts, duration, outcome): the metrics hook. */
  observe(listener: (run: SandboxRun) => void): () => void {
    return this.pool.observe(listener);
  }

  stats(): SandboxStats {
    return this.pool.stats();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async compile(job: Job): Promise<EngineFailure | undefined> {
    const result = await this.pool.run({ kind: "compile", key: job.key, program: job.program }, 0);
    return result.ok ? undefined : result.failure;
  }

  /** Runs the items (JSON texts) in jobs of bounded size, all at once; results in item order. */
  private async split(
    items: readonly string[],
    job: (batch: string[]) => Job,
    signal?: AbortSignal,
  ): Promise<Array<{ offset: number; result: JobResult }>> {
    const runs: Array<Promise<{ offset: number; result: JobResult }>> = [];
    let start = 0;
    while (start < items.length) {
      let end = start;
      let bytes = 0;
      while (
        end < items.length &&
        end - start < JOB_ITEMS &&
        (end === start || bytes + items[end].length <= JOB_BYTES)
      ) {
        bytes += items[end].length;
        end++;
      }
      const offset = start;
      runs.push(
        this.pool.run(job(items.slice(start, end)), end - start, signal).then((result) => ({ offset, result })),
      );
      start = end;
    }
    return Promise.all(runs);
  }
}

function transformationJob(codes: readonly string[]): Job & { kind: "transform" } {
  return { kind: "transform", key: programKey("transform", codes), program: transformationProgram(codes), items: [] };
}

function filterJob(source: string, scope: string): Job & { kind: "filter" } {
  return { kind: "filter", key: programKey("filter", [scope, source]), program: filterProgram(source), items: [] };
}

/** The failure with the lowest item index (the first fact that failed), with that index made global. */
function firstFailure(
  results: Array<{ offset: number; result: JobResult }>,
): { index: number; result: Extract<JobResult, { ok: false }> } | undefined {
  for (const { offset, result } of results) {
    if (!result.ok) return { index: result.index < 0 ? offset : offset + result.index, result };
  }
  return undefined;
}
