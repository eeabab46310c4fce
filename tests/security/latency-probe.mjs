// A child process that calls the store's latestSerial every `intervalMs` on a connection of its own
// and reports each call to its parent (tests/security/abuse-probe.ts): when it was sent and when
// it was answered (epoch ms), and its outcome (a call not answered within `timeoutMs` counts as
// failed). A process of its own — its own event loop, its own CPU time, its own gRPC connection —
// so that the test's work against the store (thousands of streams, megabytes of writes) cannot
// delay the probe's timers or its reading of answers and make the store look slower than it is.
// Plain node:http2: no framework in between. Arguments: url intervalMs timeoutMs.
import http2 from "node:http2";

const [url, intervalMs, timeoutMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
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

/** One latestSerial call: when it was sent and answered, and its grpc-status (or the error that ended it). */
function probe() {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    const started = performance.now();
    let status;
    let settled = false;
    const done = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ sentAt, at: Date.now(), ms: performance.now() - started, ...outcome });
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

process.on("message", (message) => {
  if (message === "stop") stopped = true;
});
// The parent gone (its test failed or was killed): stop too.
process.on("disconnect", () => process.exit(0));

process.send("started");
while (!stopped) {
  process.send(await probe());
  await new Promise((r) => setTimeout(r, intervalMs));
}
session?.close();
process.send("stopped", () => process.disconnect());
