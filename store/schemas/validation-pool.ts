/**
 * The store's validation workers: a few worker threads that compile schemas and parse and validate
 * payloads too large or too slow for the main thread (store/schemas/payload-checks.ts decides which).
 * Jobs queue FIFO and run one per worker at a time, each with a deadline: a worker still on a job
 * past it is terminated — the only way to stop a running JavaScript function — and replaced, and the
 * job fails with ValidationLimitError naming the item it was on. A caller who gives up (its signal
 * aborts) has its job dropped from the queue, or stopped between two payloads, or terminated.
 *
 * A pool of its own rather than jobs in the sandbox's (store/sandbox/pool.ts): a publish must not
 * wait behind subscriptions' filter scripts and transformations (each may take the sandbox's time
 * limit per fact), its deadline is per job where the sandbox's is per script call, and these workers
 * need neither QuickJS nor its memory.
 */
import type { Worker } from "node:worker_threads";
import { DatabaseUnavailableError } from "../errors";
import { log } from "../log";
import { startLimitedWorker } from "../workers/limited-worker";
import {
  CANCEL_INDEX,
  SHARED_BYTES,
  type JobMessage,
  type JobResult,
  type ResultMessage,
  type ValidationJob,
  type WorkerData,
} from "./validation-protocol";

const ENTRY = new URL("./validation-worker-entry.mjs", import.meta.url);
// Loading tsx and ajv takes ~0.3 s on a quiet machine; CI machines are slower and busy.
const START_TIMEOUT_MS = 30_000;
const WATCHDOG_TICK_MS = 50;
// A cancelled job stops at its next payload; one busy with a single large payload is terminated
// after this long instead.
const CANCEL_GRACE_MS = 200;
// A worker's own heap: a 40 MiB payload parsed into JavaScript values takes 100–400 MB (objects
// more than strings and numbers); a payload needing more fails alone, where on the main thread it
// would have taken the store down.
export const WORKER_HEAP_MB = 768;
// Recursive schemas follow a payload's nesting on the stack; 4 MiB holds ~10,000 levels.
const WORKER_STACK_MB = 4;

export interface ValidationPoolOptions {
  workers: number;
  /** How long one job may run on its worker. */
  timeoutMs: number;
  /** Payload characters all queued jobs may hold; past it a job is refused at once (UNAVAILABLE). */
  maxQueuedChars: number;
  /** Jobs that may wait; past it a job is refused at once (UNAVAILABLE). */
  maxQueuedJobs: number;
  /** How long a job may wait for a worker before it is refused (UNAVAILABLE). */
  maxWaitMs: number;
}

/** A job broke a limit of its worker: time or memory. Retrying the same job breaks it again. */
export class ValidationLimitError extends Error {
  override name = "ValidationLimitError";
  constructor(
    readonly limit: "time" | "memory",
    /** The item the job was on (-1: compiling, or not known). */
    readonly index: number,
    /** The job's time limit. */
    readonly timeoutMs: number,
  ) {
    super(
      limit === "time"
        ? `the validation job took longer than ${timeoutMs} ms and was stopped`
        : `the validation job needed more memory than a validation worker may use (${WORKER_HEAP_MB} MiB)`,
    );
  }
}

export interface ValidationStats {
  workers: number;
  busy: number;
  queued: number;
  runs: number;
  /** Jobs stopped by their deadline, their worker's memory limit, or a crash. */
  failures: { time: number; memory: number; crash: number };
  restarts: number;
}

interface Task {
  id: number;
  job: ValidationJob;
  transfer: ArrayBuffer[];
  chars: number;
  timeoutMs: number;
  queuedAt: number;
  resolve(result: JobResult): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker?: Worker;
  ready?: Promise<void>;
  task?: Task;
  /** Whether the worker became ready (one that never does is not restarted in a loop). */
  started?: boolean;
  /** When a cancelled task is terminated if it has not stopped by itself. */
  cancelDeadline?: number;
  progress: Float64Array;
  cancel: Int32Array;
}

export class ValidationPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private queuedChars = 0;
  private nextId = 1;
  private watchdog?: NodeJS.Timeout;
  private closed = false;
  private readonly counters = { runs: 0, failures: { time: 0, memory: 0, crash: 0 }, restarts: 0 };

  constructor(readonly options: ValidationPoolOptions) {
    this.slots = Array.from({ length: options.workers }, () => {
      const shared = new SharedArrayBuffer(SHARED_BYTES);
      return { progress: new Float64Array(shared, 0, 2), cancel: new Int32Array(shared) };
    });
  }

  /**
   * Starts every worker now, so that the first large publish does not wait for one to load;
   * resolves when they are ready (a worker that fails to start is started again by the next job).
   */
  async warm(): Promise<void> {
    for (const slot of this.slots) if (!slot.worker && !this.closed) this.start(slot);
    await Promise.all(this.slots.map((slot) => slot.ready?.catch(() => {})));
  }

  /**
   * Runs a job on the next free worker. `chars` is what it holds (payload and schema text) for the
   * queue's bound; `transfer` are buffers handed to the worker, no longer usable here.
   */
  run(
    job: ValidationJob,
    options: { chars: number; transfer?: ArrayBuffer[]; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<JobResult> {
    if (this.closed) return Promise.reject(new DatabaseUnavailableError("the store is shutting down"));
    options.signal?.throwIfAborted();
    const busy = this.refusal(options.chars);
    if (busy) return Promise.reject(busy);
    return new Promise<JobResult>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        job,
        transfer: options.transfer ?? [],
        chars: options.chars,
        timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
        queuedAt: Date.now(),
        resolve,
        reject,
        signal: options.signal,
      };
      if (task.signal) {
        task.onAbort = () => this.abort(task);
        task.signal.addEventListener("abort", task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.queuedChars += task.chars;
      this.pump();
      this.watch();
    });
  }

  stats(): ValidationStats {
    return {
      workers: this.slots.filter((s) => s.worker).length,
      busy: this.slots.filter((s) => s.task).length,
      queued: this.queue.length,
      runs: this.counters.runs,
      failures: { ...this.counters.failures },
      restarts: this.counters.restarts,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    const closing = new DatabaseUnavailableError("the store is shutting down");
    for (const task of this.queue.splice(0)) this.settle(task, undefined, closing);
    this.queuedChars = 0;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.task) this.settle(slot.task, undefined, closing);
        slot.task = undefined;
        const worker = slot.worker;
        slot.worker = undefined;
        await worker?.terminate();
      }),
    );
  }

  private refusal(chars: number): Error | undefined {
    const { maxQueuedJobs, maxQueuedChars } = this.options;
    if (this.queue.length >= maxQueuedJobs || (this.queue.length > 0 && this.queuedChars + chars > maxQueuedChars)) {
      return new DatabaseUnavailableError(
        `the store's validation workers are busy (${this.queue.length} jobs with ${mebibytes(this.queuedChars)} MiB of payloads waiting); retry shortly`,
        { overloaded: true },
      );
    }
    return undefined;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.closed) continue;
      const task = this.queue.shift();
      if (!task) return;
      this.queuedChars -= task.chars;
      slot.task = task;
      void this.dispatch(slot, task);
    }
  }

  private async dispatch(slot: Slot, task: Task): Promise<void> {
    try {
      if (!slot.worker) this.start(slot);
      await slot.ready;
    } catch (err) {
      if (slot.task === task) this.finish(slot, task, undefined, err as Error);
      return;
    }
    if (slot.task !== task) return; // the worker died while starting; the task was settled
    Atomics.store(slot.cancel, CANCEL_INDEX, 0);
    slot.cancelDeadline = undefined;
    slot.progress[1] = -1;
    slot.progress[0] = Date.now();
    const message: JobMessage = { id: task.id, job: task.job };
    slot.worker!.postMessage(message, task.transfer);
  }

  private start(slot: Slot): void {
    const data: WorkerData = { shared: slot.progress.buffer as SharedArrayBuffer };
    const { worker, ready } = startLimitedWorker(ENTRY, {
      name: "validation worker",
      workerData: data,
      heapMb: WORKER_HEAP_MB,
      stackMb: WORKER_STACK_MB,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    slot.worker = worker;
    slot.ready = ready;
    slot.ready.then(
      () => {
        slot.started = true;
        worker.on("message", (msg: ResultMessage) => this.received(slot, worker, msg));
      },
      () => {},
    );
    worker.on("error", (err) => {
      if (slot.worker !== worker) return;
      // ERR_WORKER_OUT_OF_MEMORY: the job's payload took more than the worker's heap; anything else is ours.
      const memory = (err as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
      if (!memory) log.error("validation worker failed", { error: err.message });
      this.replace(slot, memory ? "memory" : "crash", err.message);
    });
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      this.replace(slot, "crash", `the validation worker exited (code ${code})`);
    });
  }

  private received(slot: Slot, worker: Worker, msg: ResultMessage): void {
    if (slot.worker !== worker) return;
    const task = slot.task;
    if (!task || task.id !== msg.id) return;
    this.finish(slot, task, msg.result);
    this.pump();
  }

  /** Stops the slot's worker (its job broke a limit, crashed or was cancelled) and starts another. */
  private replace(slot: Slot, kind: "time" | "memory" | "crash" | "cancelled", detail: string): void {
    const task = slot.task;
    const index = slot.progress[1];
    // A worker that never became ready is not restarted at once: one that cannot start would loop.
    const restart = slot.started === true;
    this.retire(slot);
    if (task) {
      let error: Error;
      if (kind === "cancelled") {
        error = task.signal?.reason as Error;
      } else {
        this.counters.failures[kind]++;
        error = kind === "crash" ? new Error(detail) : new ValidationLimitError(kind, index, task.timeoutMs);
      }
      this.finish(slot, task, undefined, error);
    }
    // The replacement starts now, so that the next job does not wait for one to load.
    if (restart && !this.closed) this.start(slot);
    this.pump();
  }

  private retire(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = undefined;
    slot.started = false;
    slot.progress[0] = 0;
    if (worker) {
      this.counters.restarts++;
      void worker.terminate();
    }
  }

  /** The caller gave up: drop the task from the queue, or stop it on its worker. */
  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.queuedChars -= task.chars;
      this.settle(task, undefined, task.signal!.reason as Error);
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (!slot) return;
    if (slot.progress[0] === 0) {
      // Still waiting for its worker to start: nothing runs yet.
      slot.task = undefined;
      this.settle(task, undefined, task.signal!.reason as Error);
      this.pump();
      return;
    }
    Atomics.store(slot.cancel, CANCEL_INDEX, 1);
    slot.cancelDeadline = Date.now() + CANCEL_GRACE_MS;
  }

  private finish(slot: Slot, task: Task, result: JobResult | undefined, err?: Error): void {
    if (slot.task === task) slot.task = undefined;
    slot.progress[0] = 0;
    slot.cancelDeadline = undefined;
    this.counters.runs++;
    if (result?.kind === "cancelled") this.settle(task, undefined, task.signal?.reason as Error);
    else this.settle(task, result, err);
  }

  private settle(task: Task, result: JobResult | undefined, err?: Error): void {
    if (task.onAbort) task.signal?.removeEventListener("abort", task.onAbort);
    if (result) task.resolve(result);
    else task.reject(err ?? new Error("the validation job failed"));
  }

  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const slot of this.slots) {
        if (!slot.task) continue;
        const since = slot.progress[0];
        if (slot.cancelDeadline !== undefined && now > slot.cancelDeadline) {
          this.replace(slot, "cancelled", "");
        } else if (since > 0 && now - since > slot.task.timeoutMs) {
          log.warn("validation worker stopped at its deadline", { ms: now - since, kind: slot.task.job.kind });
          this.replace(slot, "time", "");
        }
      }
      // A job that waited too long for a worker is refused: the caller may retry elsewhere.
      while (this.queue.length > 0 && now - this.queue[0].queuedAt > this.options.maxWaitMs) {
        const task = this.queue.shift()!;
        this.queuedChars -= task.chars;
        this.settle(
          task,
          undefined,
          new DatabaseUnavailableError(
            `the store's validation workers were busy for ${this.options.maxWaitMs / 1000} s; retry shortly`,
            { overloaded: true },
          ),
        );
      }
      if (this.queue.length === 0 && this.slots.every((s) => !s.task)) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }, WATCHDOG_TICK_MS);
    this.watchdog.unref();
  }
}

function mebibytes(chars: number): string {
  return (chars / (1024 * 1024)).toFixed(1);
}
