/**
 * Worker thread: the live scenario's load followers. They make the store fan every fact out to
 * them, but only count what arrives (protobuf tags walked, no strings decoded), and run off the main
 * thread so their work never delays the probes' clock.
 * Messages out: { kind: "caught-up" } once every follower saw Catchup; { kind: "done", facts, errors }
 * after the parent posts "stop".
 */
import { parentPort, workerData } from "node:worker_threads";
import { FACT_STORE, GrpcConnection, type StreamHandle } from "./grpc";
import { NOTIFICATION, scanNotification, subscriptionBytes } from "./factcast";

export interface LoadFollowersData {
  url: string;
  ns: string;
  count: number;
  streamsPerConnection: number;
}

const { url, ns, count, streamsPerConnection } = workerData as LoadFollowersData;
const request = subscriptionBytes([{ ns }], true);
const connections: GrpcConnection[] = [];
const handles: StreamHandle[] = [];
let facts = 0;
let caughtUp = 0;
let errors = 0;
let stopping = false;
let firstError: string | undefined;

// Subscriptions being opened at once. Applications start their subscriptions over seconds, not in
// one millisecond: a thousand at once queue a thousand start-up lookups on the store's small lookup
// pool, and on a loaded machine some waited past its 5 s acquire bound and failed (UNAVAILABLE).
const OPENING_AT_ONCE = 50;
let opened = 0;
let opening = 0;

function openNext(): void {
  while (opening < OPENING_AT_ONCE && opened < count && !stopping) {
    if (opened % streamsPerConnection === 0) connections.push(new GrpcConnection(url));
    opened++;
    opening++;
    let seenCatchup = false;
    const settled = () => {
      if (seenCatchup) return;
      seenCatchup = true;
      opening--;
      openNext();
    };
    const handle = connections[connections.length - 1].serverStream(`${FACT_STORE}/subscribe`, request, (message) => {
      const n = scanNotification(message);
      facts += n.facts;
      if (!seenCatchup && n.type === NOTIFICATION.Catchup) {
        settled();
        if (++caughtUp === count) parentPort!.postMessage({ kind: "caught-up" });
      }
    });
    handle.done.catch((err: Error) => {
      settled();
      if (stopping) return;
      errors++;
      firstError ??= err.message;
    });
    handles.push(handle);
  }
}
openNext();
if (count === 0) parentPort!.postMessage({ kind: "caught-up" });
// How far subscribing has got, so that a run that times out says whether the followers came up at all.
const progress = setInterval(() => {
  if (caughtUp === count) clearInterval(progress);
  else parentPort!.postMessage({ kind: "progress", caughtUp, errors, firstError });
}, 1_000);
progress.unref();

parentPort!.on("message", (message) => {
  if (message !== "stop") return;
  stopping = true;
  handles.forEach((h) => h.cancel());
  connections.forEach((c) => c.close());
  parentPort!.postMessage({ kind: "done", facts, errors });
});
