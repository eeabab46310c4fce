/**
 * Starts a worker thread under resource limits and waits for its "ready" message: what the store's
 * two worker pools share (store/sandbox/pool.ts, store/schemas/validation-pool.ts). Each pool adds
 * its own handling of errors and exits once the worker runs, and decides when to replace it.
 */
import { Worker } from "node:worker_threads";

export interface LimitedWorkerOptions {
  /** How messages name the worker: "sandbox worker", "validation worker". */
  name: string;
  workerData: unknown;
  /** The worker's own V8 heap (old generation); past it the worker fails with ERR_WORKER_OUT_OF_MEMORY. */
  heapMb: number;
  /** The worker's native stack. */
  stackMb: number;
  /** How long it may take to send "ready"; then it is terminated and `ready` rejects. */
  startTimeoutMs: number;
}

export interface LimitedWorker {
  worker: Worker;
  /**
   * Resolves when the worker sends "ready"; rejects when it sends anything else first, exits, or
   * does not start in time. Never an unhandled rejection: callers await it when they need it.
   */
  ready: Promise<void>;
}

export function startLimitedWorker(entry: URL, options: LimitedWorkerOptions): LimitedWorker {
  const { name, startTimeoutMs } = options;
  const worker = new Worker(entry, {
    workerData: options.workerData,
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb, stackSizeMb: options.stackMb },
    stdout: false,
    stderr: false,
  });
  // An idle worker does not keep the store's process alive.
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the ${name} did not start within ${startTimeoutMs} ms`));
      void worker.terminate();
    }, startTimeoutMs);
    worker.once("message", (first) => {
      clearTimeout(timer);
      if (first === "ready") resolve();
      else reject(new Error(`the ${name} sent ${JSON.stringify(first)} before it was ready`));
    });
    worker.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`the ${name} exited while starting`));
    });
  });
  ready.catch(() => {});
  return { worker, ready };
}
