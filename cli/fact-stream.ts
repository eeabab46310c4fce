// Runs one FactCast subscription and writes what it delivers as NDJSON: each fact's header and
// payload exactly as the store sent them, one `{"header":…,"payload":…}` per line.
import { hostname } from "node:os";
import type { StoreClient } from "../factcast/client";
import { notificationFacts } from "../factcast/notifications";
import { subscriptionRequest, type FactSpecJson } from "../factcast/spec";
import { MSG_Notification_Type, type MSG_Fact } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { singleLine } from "./json-text";
import { formatCount, Progress } from "./output";
import type { StartPoint } from "./position";
import type { Runtime } from "./runtime";

export interface StreamRequest {
  specs: FactSpecJson[];
  /** false: catch up and end; true: catch up, then stay and deliver new facts. */
  continuous: boolean;
  start: StartPoint;
}

/** The line a consumer gets for one fact. Texts are spliced in, never re-serialized. */
export function factLine(fact: Pick<MSG_Fact, "header" | "payload">): string {
  return `{"header":${singleLine(fact.header)},"payload":${singleLine(fact.payload)}}`;
}

/**
 * Streams until the catch-up completes (or, when following, until interrupted). Returns the number
 * of facts written. Store errors propagate; an interruption (Ctrl-C, closed stdout) returns normally.
 */
export async function streamFacts(
  runtime: Runtime,
  store: StoreClient,
  request: StreamRequest,
  progress = new Progress(),
): Promise<number> {
  const { minSerial } = request.start;
  const needSerial = minSerial !== undefined || progress.enabled;
  let written = 0;
  let serial = 0n;
  let horizon = 0n;
  let live = false;
  const status = () =>
    live
      ? `following · ${formatCount(written)} facts`
      : `catching up · serial ${formatCount(serial)} of ${formatCount(horizon)} · ${formatCount(written)} facts`;

  const emit = async (fact: MSG_Fact) => {
    if (needSerial) {
      serial = BigInt((JSON.parse(fact.header) as { meta?: { _ser?: number } }).meta?._ser ?? 0);
      if (minSerial !== undefined && serial < minSerial) return;
    }
    await runtime.stdout.line(factLine(fact));
    written++;
    progress.update(status);
  };

  const req = subscriptionRequest({
    specs: request.specs,
    continuous: request.continuous,
    ephemeral: request.start.ephemeral,
    startingAfter: request.start.startingAfter,
    // Info first: the serial horizon the progress line counts towards.
    streamInfo: true,
    debugInfo: "factline-cli",
    pid: `${process.pid}@${hostname()}`,
  });
  try {
    for await (const n of store.facts.subscribe(req, { signal: runtime.signal })) {
      switch (n.type) {
        case MSG_Notification_Type.Info:
          horizon = BigInt(n.info?.serialHorizon ?? 0n);
          break;
        case MSG_Notification_Type.Facts:
        case MSG_Notification_Type.Fact:
          for (const fact of notificationFacts(n)) await emit(fact);
          break;
        case MSG_Notification_Type.Catchup:
          live = request.continuous;
          progress.update(status, true);
          break;
        case MSG_Notification_Type.Complete:
          return written;
        default:
          break; // KeepAlive, Ffwd: nothing to show
      }
      if (runtime.signal.aborted) break;
    }
  } catch (err) {
    if (!runtime.signal.aborted) throw err;
  } finally {
    progress.done();
  }
  return written;
}
