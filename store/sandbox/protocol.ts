import type { Program } from "./scripts";

/** What the sandbox pool (main thread) and its workers send each other. Plain data: structured-cloned. */

export interface SandboxLimits {
  /** Wall-clock time one script invocation (one fact) may take in its worker. */
  timeMs: number;
  /** The engine's whole WebAssembly memory; a script allocating past it fails with "out of memory". */
  memoryBytes: number;
}

/**
 * compile: the script does not compile or is not a function · error: it threw · timeout / memory: it
 * broke a limit · invalid: its result does not match the target schema · crash: the engine failed.
 */
export type FailureKind = "compile" | "error" | "timeout" | "memory" | "invalid" | "crash";

export interface EngineFailure {
  kind: FailureKind;
  message: string;
}

/** A compiled program is cached per worker under `key` (a hash of everything it was built from). */
interface ProgramRef {
  key: string;
  program: Program;
}

export type Job =
  | (ProgramRef & {
      kind: "transform";
      /** Payload JSON texts. */
      items: string[];
      /** The target version's JSON Schema; every result must validate against it. */
      schema?: { key: string; text: string };
    })
  | (ProgramRef & {
      kind: "filter";
      /** `[header, payload]` pairs, each as JSON text. */
      items: string[];
    })
  | (ProgramRef & { kind: "compile" });

export type JobResult =
  /** transform: one result payload text per item; filter: one boolean per item; compile: none. */
  | { ok: true; values: Array<string | boolean> }
  /** `index`: the item that failed (-1: the program itself); `step`: the chain step running then. */
  | { ok: false; index: number; step: number; failure: EngineFailure };

export interface JobMessage {
  id: number;
  job: Job;
}

export interface ResultMessage {
  id: number;
  result: JobResult;
  /** The engine broke a limit or failed: the pool replaces this worker. */
  broken: boolean;
  /** How long the job took inside the worker. */
  ms: number;
}

export interface WorkerData {
  limits: SandboxLimits;
  /**
   * One Float64: Date.now() when the current script invocation started, 0 when idle. The pool's
   * watchdog reads it to stop a worker whose script QuickJS's own interrupt did not stop in time.
   */
  heartbeat: SharedArrayBuffer;
}
