import { create } from "@bufbuild/protobuf";
import {
  MSG_Notification_Type as Type,
  MSG_NotificationSchema,
  type MSG_Notification,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import { uuidToBits } from "../facts/uuid";
import type { SubscriptionEvent } from "../subscriptions/subscription";

// fc-maxmsg: the client's largest inbound message. FactCast clamps it to [2 MiB, 32 MiB] and fills
// Facts notifications to at most 90 % of it, leaving room for protobuf framing.
const MIN_MAX_MESSAGE = 2 * 1024 * 1024;
const MAX_MAX_MESSAGE = 32 * 1024 * 1024;
const DEFAULT_MAX_MESSAGE = 3_682_304;
const FILL_RATIO = 0.9;
// FactCast's per-fact estimate of protobuf overhead.
const PER_FACT_OVERHEAD = 8;

/** The byte budget of one Facts notification for a client that sent `fc-maxmsg` (or nothing). */
export function factsBudget(maxMessageHeader: string | null): number {
  const asked = Number(maxMessageHeader);
  const max = Number.isFinite(asked) && asked > 0 ? asked : DEFAULT_MAX_MESSAGE;
  return Math.floor(Math.min(MAX_MAX_MESSAGE, Math.max(MIN_MAX_MESSAGE, max)) * FILL_RATIO);
}

/** The notifications for one subscription event; facts are split into batches within `budget`. */
export function* toNotifications(event: SubscriptionEvent, budget: number): Generator<MSG_Notification> {
  switch (event.kind) {
    case "info":
      yield create(MSG_NotificationSchema, {
        type: Type.Info,
        info: { serialStart: event.start, serialHorizon: event.horizon },
      });
      return;
    case "facts":
      yield* factBatches(event.facts, budget);
      return;
    case "ffwd":
      yield create(MSG_NotificationSchema, { type: Type.Ffwd, id: uuidToBits(event.id), serial: { serial: event.ser } });
      return;
    case "catchup":
      yield create(MSG_NotificationSchema, { type: Type.Catchup });
      return;
    case "complete":
      yield create(MSG_NotificationSchema, { type: Type.Complete });
      return;
    case "keepalive":
      yield create(MSG_NotificationSchema, { type: Type.KeepAlive });
      return;
  }
}

function* factBatches(facts: StoredFact[], budget: number): Generator<MSG_Notification> {
  let batch: Array<{ header: string; payload: string }> = [];
  let size = 0;
  for (const fact of facts) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; measure exactly only when that bound is too big.
    const bound = (fact.header.length + fact.payload.length) * 3 + PER_FACT_OVERHEAD;
    const bytes =
      size + bound <= budget
        ? bound
        : Buffer.byteLength(fact.header) + Buffer.byteLength(fact.payload) + PER_FACT_OVERHEAD;
    if (batch.length > 0 && size + bytes > budget) {
      yield factsNotification(batch);
      batch = [];
      size = 0;
    }
    // A single fact larger than the budget still goes out, alone: FactCast silently drops it,
    // which loses data; the client's own message limit will report it loudly instead.
    batch.push({ header: fact.header, payload: fact.payload });
    size += bytes;
  }
  if (batch.length > 0) yield factsNotification(batch);
}

function factsNotification(fact: Array<{ header: string; payload: string }>): MSG_Notification {
  return create(MSG_NotificationSchema, { type: Type.Facts, facts: { fact } });
}
