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

for (let i = 0; i < count; i++) {
  if (i % streamsPerConnection === 0) connections.push(new GrpcConnection(url));
  let seenCatchup = false;
  const handle = connections[connections.length - 1].serverStream(`${FACT_STORE}/subscribe`, request, (message) => {
    const n = scanNotification(message);
    facts += n.facts;
    if (!seenCatchup && n.type === NOTIFICATION.Catchup) {
      seenCatchup = true;
      if (++caughtUp === count) parentPort!.postMessage({ kind: "caught-up" });
    }
  });
  handle.done.catch(() => {
    if (!stopping) errors++;
  });
  handles.push(handle);
}
if (count === 0) parentPort!.postMessage({ kind: "caught-up" });

parentPort!.on("message", (message) => {
  if (message !== "stop") return;
  stopping = true;
  handles.forEach((h) => h.cancel());
  connections.forEach((c) => c.close());
  parentPort!.postMessage({ kind: "done", facts, errors });
});
