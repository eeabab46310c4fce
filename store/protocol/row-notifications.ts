import type { MSG_NotificationSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { EncodedMessage } from "../grpc/encoded";
import type { FactRows } from "../storage/fact-rows";
import {
  factsFrame,
  fieldLength,
  PER_FACT_OVERHEAD,
  TAG_FACT_HEADER,
  TAG_FACT_PAYLOAD,
  TAG_FACTS_FACT,
  varintLength,
  writeVarint,
} from "./notifications";

// A catch-up notification carries at most this much (or one fact, if larger), whatever the client's
// budget allows. Each stream's notification waits whole in its connection's HTTP/2 session memory
// (64 MB per connection, store/grpc/server.ts) until the client takes it; with budget-sized frames
// (3.3 MB by default) fifteen catch-ups on one connection filled it and Node refused that
// connection's new streams (ENHANCE_YOUR_CALM). A thousand 1 KB facts per notification already make
// its framing cost negligible.
export const MAX_CATCHUP_NOTIFICATION_BYTES = 1024 * 1024;

/**
 * Facts notifications for catch-up rows (store/storage/fact-rows.ts), each within the client's
 * `budget` like every Facts notification (store/protocol/notifications.ts) and within
 * MAX_CATCHUP_NOTIFICATION_BYTES. The rows' header and payload bytes are copied from the socket
 * chunks PostgreSQL's answer arrived in straight into the gRPC frame: the stored header already
 * carries `_ser` and `_ts`, so nothing is decoded or re-encoded on the way.
 */
export function* rowBatches(rows: FactRows, budget: number): Generator<EncodedMessage<typeof MSG_NotificationSchema>> {
  const limit = Math.min(budget, MAX_CATCHUP_NOTIFICATION_BYTES);
  let first = 0;
  let size = 0;
  for (let i = 0; i < rows.length; i++) {
    const bytes = rows.headerLength(i) + rows.payloadLength(i) + PER_FACT_OVERHEAD;
    if (i > first && size + bytes > limit) {
      yield encodeRows(rows, first, i);
      first = i;
      size = 0;
    }
    // A single fact larger than the limit still goes out, alone (as in notifications.ts).
    size += bytes;
  }
  if (rows.length > first) yield encodeRows(rows, first, rows.length);
}

/** Rows [from, to) as one Facts notification, byte for byte what the generic encoder makes of them. */
function encodeRows(rows: FactRows, from: number, to: number): EncodedMessage<typeof MSG_NotificationSchema> {
  let factsLength = 0;
  for (let i = from; i < to; i++) {
    const body = fieldLength(rows.headerLength(i)) + fieldLength(rows.payloadLength(i));
    factsLength += 1 + varintLength(body) + body;
  }
  const { out, at: start } = factsFrame(factsLength);
  let at = start;
  for (let i = from; i < to; i++) {
    const header = rows.headerLength(i);
    const payload = rows.payloadLength(i);
    out[at++] = TAG_FACTS_FACT;
    at = writeVarint(out, at, fieldLength(header) + fieldLength(payload));
    // proto3 leaves empty strings out, as the generic encoder does.
    if (header > 0) {
      out[at++] = TAG_FACT_HEADER;
      at = rows.copyHeader(i, out, writeVarint(out, at, header));
    }
    if (payload > 0) {
      out[at++] = TAG_FACT_PAYLOAD;
      at = rows.copyPayload(i, out, writeVarint(out, at, payload));
    }
  }
  return new EncodedMessage(out);
}
