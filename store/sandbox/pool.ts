/**
 * The store's sandbox workers: a fixed number of worker threads, each with one QuickJS engine
 * (store/sandbox/worker.ts), started on first use and reused for every later job. Jobs queue FIFO
 * and run one per worker at a time.
 *
 * A worker whose engine broke a limit reports it and is replaced: its thread ends, which frees its
 * memory as a whole. A worker whose script outruns its time limit without QuickJS noticing (a single
 * long native operation checks no interrupt) is terminated by the watchdog, which reads the start
 * time of the running invocation from memory the worker shares.
 */
import type { Worker } from "node:worker_threads";
import { log } from "../log";
import { startLimitedWorker } from "../workers/limited-worker";
import type { FailureKind, Job, JobMessage, JobResult, ResultMessage, SandboxLimits, WorkerData } from "./protocol";

const ENTRY = new URL("./worker-entry.mjs", import.meta.url);
// Loading tsx, QuickJS and ajv takes ~0.5 s on a quiet machine; CI machines are slower and busy.
const START_TIMEOUT_MS = 30_000;
// QuickJS's interrupt stops a script within microseconds of its deadline; the watchdog is for what
// it cannot stop, so it allows this much on top before it ends the whole thread.
const WATCHDOG_GRACE_MS = 1_000;
const WATCHDOG_TICK_MS = 100;
// The worker's own (V8) heap: batch texts in and out, compiled schemas. Script memory is separate
// (the engine's WebAssembly memory, SandboxLimits.memoryBytes).
const WORKER_HEAP_MB = 256;
// Native stack of a worker; the engine's QuickJS stack bound was measured against this size.
const WORKER_STACK_MB = 4;

/** One finished job, for metrics (see SandboxPool.observe). */
export interface SandboxRun {
  kind: Job["kind"];
  /** Facts the job ran on (0 for a compile check). */
  items: number;
  ms: number;
  outcome: "ok" | FailureKind;
}

export interface SandboxStats {
  workers: number;
  /** Workers running a job now. */
  busy: number;
  queued: number;
  runs: Record<Job["kind"], number>;
  items: Record<Job["kind"], number>;
  failures: Record<FailureKind, number>;
  /** Time spent running jobs, summed over workers. */
  busyMs: number;
  /** Workers replaced after a broken limit or a crash. */
  restarts: number;
}

interface Task {
  id: number;
  job: Job;
  items: number;
  resolve(result: JobResult): void;
  reject(err: Error): void;
  signal?: AbortSignal;
}

interface Slot {
  worker?: Worker;
  ready?: Promise<void>;
  task?: Task;
  /** [Date.now() at the running invocation's start (0: idle), index of the item it runs]. */
  heartbeat: Float64Array;
}

export class SandboxPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly observers = new Set<(run: SandboxRun) => void>();
  private nextId = 1;
  private watchdog?: NodeJS.Timeout;
  private closed = false;
  private readonly counters: Omit<SandboxStats, "workers" | "busy" | "queued"> = {
    runs: { transform: 0, filter: 0, compile: 0 },
    items: { transform: 0, filter: 0, compile: 0 },
    failures: { compile: 0, error: 0, timeout: 0, memory: 0, invalid: 0, crash: 0 },
    busyMs: 0,
    restarts: 0,
  };

  constructor(
    readonly size: number,
    readonly limits: SandboxLimits,
  ) {
    this.slots = Array.from({ length: size }, () => ({ heartbeat: new Float64Array(new SharedArrayBuffer(16)) }));
  }

  /** Runs a job on the next free worker. A job aborted while it waits is dropped from the queue. */
  run(job: Job, items: number, signal?: AbortSignal): Promise<JobResult> {
    if (this.closed) return Promise.reject(new Error("the sandbox is closed"));
    signal?.throwIfAborted();
    return new Promise<JobResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, job, items, resolve, reject, signal };
      this.queue.push(task);
      this.pump();
    });
  }

  /** Calls `listener` after every job; returns the function that stops it. */
  observe(listener: (run: SandboxRun) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  stats(): SandboxStats {
    const c = this.counters;
    return {
      workers: this.slots.filter((s) => s.worker).length,
      busy: this.slots.filter((s) => s.task).length,
      queued: this.queue.length,
      runs: { ...c.runs },
      items: { ...c.items },
      failures: { ...c.failures },
      busyMs: c.busyMs,
      restarts: c.restarts,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const task of this.queue.splice(0)) task.reject(new Error("the sandbox is closed"));
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.task?.reject(new Error("the sandbox is closed"));
        slot.task = undefined;
        const worker = slot.worker;
        slot.worker = undefined;
        await worker?.terminate();
      }),
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.closed) continue;
      const task = this.nextTask();
      if (!task) return;
      slot.task = task;
      void this.dispatch(slot, task);
    }
  }

  private nextTask(): Task | undefined {
    while (this.queue.length > 0) {
      const task = this.queue.shift()!;
      if (!task.signal?.aborted) return task;
      task.reject(task.signal.reason as Error);
    }
    return undefined;
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
    slot.heartbeat[0] = Date.now();
    slot.heartbeat[1] = -1;
    const message: JobMessage = { id: task.id, job: task.job };
    slot.worker!.postMessage(message);
    this.watch();
  }

  private start(slot: Slot): void {
    const data: WorkerData = { limits: this.limits, heartbeat: slot.heartbeat.buffer as SharedArrayBuffer };
    const { worker, ready } = startLimitedWorker(ENTRY, {
      name: "sandbox worker",
      workerData: data,
      heapMb: WORKER_HEAP_MB,
      stackMb: WORKER_STACK_MB,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    slot.worker = worker;
    slot.ready = ready;
    slot.ready.then(
      () => worker.on("message", (msg: ResultMessage) => this.received(slot, worker, msg)),
      () => {},
    );
    worker.on("error", (err) => {
      if (slot.worker !== worker) return;
      // ERR_WORKER_OUT_OF_MEMORY: the worker's own heap, not the script's; anything else is ours.
      const memory = (err as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
      if (!memory) log.error("sandbox worker failed", { error: err.message });
      this.replace(slot, memory ? "memory" : "crash", err.message);
    });
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      this.replace(slot, "crash", `the sandbox worker exited (code ${code})`);
    });
  }

  private received(slot: Slot, worker: Worker, msg: ResultMessage): void {
    if (slot.worker !== worker) return;
    const task = slot.task;
    if (!task || task.id !== msg.id) return;
    this.finish(slot, task, msg.result, undefined, msg.ms);
    if (msg.broken) this.retire(slot);
    this.pump();
  }

  /** Settles the slot's task after its worker died or was stopped, and forgets that worker. */
  private replace(slot: Slot, kind: FailureKind, detail: string): void {
    const task = slot.task;
    this.retire(slot);
    if (task) {
      const index = slot.heartbeat[1];
      const message =
        kind === "timeout"
          ? `exceeded the sandbox time limit of ${this.limits.timeMs} ms per call (stopped by the watchdog)`
          : kind === "memory"
            ? `exceeded the sandbox memory limit (${detail})`
            : detail;
      this.finish(slot, task, { ok: false, index, step: -1, failure: { kind, message } });
    }
    this.pump();
  }

  private retire(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = undefined;
    slot.heartbeat[0] = 0;
    if (worker) {
      this.counters.restarts++;
      void worker.terminate();
    }
  }

  private finish(slot: Slot, task: Task, result: JobResult | undefined, err?: Error, ms = 0): void {
    if (slot.task === task) slot.task = undefined;
    slot.heartbeat[0] = 0;
    const c = this.counters;
    c.runs[task.job.kind]++;
    c.items[task.job.kind] += task.items;
    c.busyMs += ms;
    const outcome = result ? (result.ok ? "ok" : result.failure.kind) : "crash";
    if (outcome !== "ok") c.failures[outcome]++;
    for (const listener of this.observers) listener({ kind: task.job.kind, items: task.items, ms, outcome });
    if (result) task.resolve(result);
    else task.reject(err ?? new Error("the sandbox job failed"));
  }

  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const now = Date.now();
      let busy = false;
      for (const slot of this.slots) {
        if (!slot.task) continue;
        busy = true;
        const since = slot.heartbeat[0];
        if (since > 0 && now - since > this.limits.timeMs + WATCHDOG_GRACE_MS) {
          log.warn("sandbox watchdog stopped a worker", { ms: now - since, kind: slot.task.job.kind });
          this.replace(slot, "timeout", "");
        }
      }
      if (!busy) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }, WATCHDOG_TICK_MS);
    this.watchdog.unref();
  }
}
