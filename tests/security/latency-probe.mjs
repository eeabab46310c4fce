// A worker thread that calls the store's latestSerial every 100 ms on a connection of its own and
// reports each call's latency (a call not answered within `timeoutMs` counts as failed) (tests/security/abuse.int.spec.ts). A thread of its own, so that the
// test's work against the store (thousands of streams, megabytes of writes) cannot delay the probe's
// timers and make the store look slower than it is. Plain node:http2: no framework in between.
import http2 from "node:http2";
import { parentPort, workerData } from "node:worker_threads";

const { url, intervalMs, timeoutMs } = workerData;
const PATH = "/org.factcast.grpc.api.gen.RemoteFactStore/latestSerial";
// An empty MSG_Empty in its gRPC frame: flag 0, length 0.
const REQUEST = Buffer.alloc(5);

let session;
let stopped = false;

function connection() {
  if (!session || session.closed || session.destroyed) {
    session = http2.connect(url);
    session.on("error", () => {});
  }
  return session;
}

/** One latestSerial call: its latency in ms and its grpc-status (or the error that ended it). */
function probe() {
  return new Promise((resolve) => {
    const started = performance.now();
    let status;
    let settled = false;
    const done = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ at: Date.now(), ms: performance.now() - started, ...outcome });
    };
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      done({ error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const req = connection().request({
      ":method": "POST",
      ":path": PATH,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const take = (headers) => {
      if (headers["grpc-status"] !== undefined) status = headers["grpc-status"];
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("error", (err) => done({ error: err.message }));
    req.resume();
    req.on("close", () =>
      done(status === "0" ? { ok: true } : { error: `grpc-status ${status ?? "missing"}: the call failed` }),
    );
    req.end(REQUEST);
  });
}

parentPort.on("message", (message) => {
  if (message === "stop") stopped = true;
});

while (!stopped) {
  parentPort.postMessage(await probe());
  await new Promise((r) => setTimeout(r, intervalMs));
}
session?.close();
parentPort.postMessage("stopped");
