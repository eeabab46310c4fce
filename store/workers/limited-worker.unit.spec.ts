// Starting a resource-limited worker: ready on its "ready" message, and a clear refusal when it
// says something else first, exits while starting, or does not start in time.
import { describe, expect, it } from "vitest";
import { startLimitedWorker } from "./limited-worker";

const script = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);
const options = (startTimeoutMs = 30_000) => ({
  name: "test worker",
  workerData: { answer: 42 },
  heapMb: 64,
  stackMb: 4,
  startTimeoutMs,
});

describe("startLimitedWorker", () => {
  it("is ready at the worker's ready message, with its data and heap limit", async () => {
    const { worker, ready } = startLimitedWorker(
      script(`import { parentPort, workerData } from "node:worker_threads";
        import { getHeapStatistics } from "node:v8";
        parentPort.postMessage("ready");
        parentPort.postMessage({ data: workerData, limit: getHeapStatistics().heap_size_limit });`),
      options(),
    );
    // Listen for the second message before awaiting `ready`: the worker sends both at once, and a
    // listener added after `ready` resolved could miss it (this test once hung that way under load).
    const secondMessage = new Promise<unknown>((resolve) => {
      worker.on("message", (message) => {
        if (message !== "ready") resolve(message);
      });
    });
    await ready;
    const second = await secondMessage;
    expect(second).toMatchObject({ data: { answer: 42 } });
    // The old generation's 64 MB plus the young generation's.
    expect((second as { limit: number }).limit).toBeLessThan(128 * 1024 * 1024);
    await worker.terminate();
  }, 60_000);

  it("refuses a worker that says something else first, or exits while starting", async () => {
    const other = startLimitedWorker(
      script(`import { parentPort } from "node:worker_threads"; parentPort.postMessage("hello");`),
      options(),
    );
    await expect(other.ready).rejects.toThrow('the test worker sent "hello" before it was ready');
    await other.worker.terminate();
    const exits = startLimitedWorker(script(`process.exit(3);`), options());
    await expect(exits.ready).rejects.toThrow("the test worker exited while starting");
  }, 60_000);

  it("gives up on a worker that does not start in time, and stops it", async () => {
    const { worker, ready } = startLimitedWorker(script(`setInterval(() => {}, 1000);`), options(200));
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    await expect(ready).rejects.toThrow("the test worker did not start within 200 ms");
    await exited;
  }, 60_000);
});
