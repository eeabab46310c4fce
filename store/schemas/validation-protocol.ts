import type { PayloadError, SchemaProblem } from "./validation";

/** What the validation pool (main thread) and its workers send each other. Plain data: structured-cloned. */

/** A schema as a job names it: `key` identifies the text (workers cache compiled schemas by it). */
export interface SchemaSource {
  key: string;
  text: string;
}

/**
 * Payloads on their way to a worker: UTF-8 bytes packed in one buffer that is transferred, not
 * copied (`ends[i]` is where payload i ends).
 */
export interface PayloadTransport {
  bytes: ArrayBuffer;
  ends: number[];
}

export interface CheckItem {
  /** Index into the job's schemas; -1: only parse the payload. */
  schema: number;
  /**
   * Look for text PostgreSQL cannot store (\u0000, unpaired surrogates; only escapes produce them),
   * naming the payload by this path in what to fix; false: do not look.
   */
  storable: string | false;
}

export type ValidationJob =
  /** Compile a schema: its problems, or (decider: true) the standalone source of its deciding validator. */
  | { kind: "compile"; schema: SchemaSource; decider: boolean }
  /**
   * Parse and check payloads: one result per item. Errors are listed for the first `listFailures`
   * failing items (the others fail without a list); after `stopAfterFailures` failures it stops.
   */
  | {
      kind: "check";
      schemas: SchemaSource[];
      items: CheckItem[];
      payloads: PayloadTransport;
      listFailures: number;
      stopAfterFailures?: number;
    };

export type ItemResult =
  | { ok: true }
  /** Not JSON, or text PostgreSQL cannot store: the parser's or the check's words. */
  | { ok: false; problem: string }
  /** Does not match its schema; `errors` is empty for a failure beyond listFailures. */
  | { ok: false; errors: PayloadError[] }
  /** Its schema does not compile. */
  | { ok: false; schemaProblems: SchemaProblem[] };

export type JobResult =
  | { kind: "compile"; problems?: SchemaProblem[]; deciderSource?: string }
  /** One result per item checked (fewer than the items when it stopped after stopAfterFailures). */
  | { kind: "check"; results: ItemResult[] }
  /** The job saw its cancel flag before item `index`. */
  | { kind: "cancelled"; index: number };

export interface JobMessage {
  id: number;
  job: ValidationJob;
}

export interface ResultMessage {
  id: number;
  result: JobResult;
}

export interface WorkerData {
  /**
   * Shared with the pool: Float64 [0] Date.now() when the running job started (0: idle), [1] the
   * item it is on; Int32 at byte 16: set to 1 by the pool to cancel the running job.
   */
  shared: SharedArrayBuffer;
}

/** Byte layout of WorkerData.shared. */
export const SHARED_BYTES = 24;
export const CANCEL_INDEX = 4;
