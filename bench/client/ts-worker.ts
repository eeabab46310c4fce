/**
 * Starts a TypeScript module in a worker thread. Under Node 20, workers do not inherit tsx's loader
 * from the parent, so the worker registers it itself before importing the module.
 */
import { Worker } from "node:worker_threads";

export function startTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const source = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(source, { eval: true, workerData });
}
