import { create } from "@bufbuild/protobuf";
import {
  MSG_Notification_Type as Type,
  MSG_NotificationSchema,
  type MSG_Notification,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import { EncodedMessage } from "../grpc/encoded";
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

type Notification = MSG_Notification | EncodedMessage<typeof MSG_NotificationSchema>;

/** The notifications for one subscription event; facts are split into batches within `budget`. */
export function* toNotifications(event: SubscriptionEvent, budget: number): Generator<Notification> {
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

function* factBatches(facts: StoredFact[], budget: number): Generator<Notification> {
  let batch: StoredFact[] = [];
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
    batch.push(fact);
    size += bytes;
  }
  if (batch.length > 0) yield factsNotification(batch);
}

// Protobuf wire tags (field number << 3 | wire type) of the messages encoded by hand below.
const TAG_NOTIFICATION_TYPE = (1 << 3) | 0; // MSG_Notification.type, varint
const TAG_NOTIFICATION_FACTS = (4 << 3) | 2; // MSG_Notification.facts, length-delimited
const TAG_FACTS_FACT = (1 << 3) | 2; // MSG_Facts.fact (repeated)
const TAG_FACT_HEADER = (1 << 3) | 2; // MSG_Fact.header
const TAG_FACT_PAYLOAD = (2 << 3) | 2; // MSG_Fact.payload

// A fact's MSG_Fact encoding, made once however many followers receive the fact. Weak, so it lives
// exactly as long as the fact object the tail hub or a catch-up chunk holds.
const encodedFacts = new WeakMap<StoredFact, Buffer>();

/**
 * A Facts notification in wire form. Hand-encoded because it is the store's hottest path: the
 * generic encoder spends ~7 µs per 1 KB fact and would repeat that for every follower.
 */
function factsNotification(facts: StoredFact[]): EncodedMessage<typeof MSG_NotificationSchema> {
  const bodies = facts.map(encodedFact);
  let factsLength = 0;
  for (const body of bodies) factsLength += 1 + varintLength(body.length) + body.length;
  const out = Buffer.allocUnsafe(2 + 1 + varintLength(factsLength) + factsLength);
  out[0] = TAG_NOTIFICATION_TYPE;
  out[1] = Type.Facts;
  out[2] = TAG_NOTIFICATION_FACTS;
  let at = writeVarint(out, 3, factsLength);
  for (const body of bodies) {
    out[at++] = TAG_FACTS_FACT;
    at = writeVarint(out, at, body.length);
    out.set(body, at);
    at += body.length;
  }
  return new EncodedMessage(out);
}

function encodedFact(fact: StoredFact): Buffer {
  let body = encodedFacts.get(fact);
  if (body) return body;
  const headerBytes = Buffer.byteLength(fact.header);
  const payloadBytes = Buffer.byteLength(fact.payload);
  body = Buffer.allocUnsafe(fieldLength(headerBytes) + fieldLength(payloadBytes));
  let at = 0;
  // proto3 leaves empty strings out, as the generic encoder does.
  if (headerBytes > 0) at = writeString(body, at, TAG_FACT_HEADER, fact.header, headerBytes);
  if (payloadBytes > 0) writeString(body, at, TAG_FACT_PAYLOAD, fact.payload, payloadBytes);
  encodedFacts.set(fact, body);
  return body;
}

function fieldLength(bytes: number): number {
  return bytes === 0 ? 0 : 1 + varintLength(bytes) + bytes;
}

function writeString(out: Buffer, at: number, tag: number, value: string, bytes: number): number {
  out[at++] = tag;
  at = writeVarint(out, at, bytes);
  return at + out.write(value, at, bytes, "utf8");
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}
