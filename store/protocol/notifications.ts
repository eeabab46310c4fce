import { create } from "@bufbuild/protobuf";
import {
  MSG_Notification_Type as Type,
  MSG_NotificationSchema,
  type MSG_Notification,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import { EncodedMessage } from "../grpc/encoded";
import { rowBatches } from "./row-notifications";
import { PREFIX_BYTES } from "../grpc/framing";
import { uuidToBits } from "../../factcast/uuid";
import type { SubscriptionEvent } from "../subscriptions/subscription";

// fc-maxmsg: the client's largest inbound message. FactCast clamps it to [2 MiB, 32 MiB] and fills
// Facts notifications to at most 90 % of it, leaving room for protobuf framing.
const MIN_MAX_MESSAGE = 2 * 1024 * 1024;
const MAX_MAX_MESSAGE = 32 * 1024 * 1024;
const DEFAULT_MAX_MESSAGE = 3_682_304;
const FILL_RATIO = 0.9;
// FactCast's per-fact estimate of protobuf overhead.
export const PER_FACT_OVERHEAD = 8;

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
      yield* factBatches(event.facts, budget, event.live === true);
      return;
    case "rows":
      // Framed ahead (SubscriptionContext.prepareRows) or here.
      if (event.prepared) yield* event.prepared as Notification[];
      else yield* rowBatches(event.rows, budget);
      return;
    case "ffwd":
      yield create(MSG_NotificationSchema, {
        type: Type.Ffwd,
        id: uuidToBits(event.id),
        serial: { serial: event.ser },
      });
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

/**
 * Writes a live batch's Facts notification(s) into a stream (store/subscriptions/follower.ts
 * LiveSink): the frames are the ones every follower of the batch writes, encoded once. False when the
 * stream asked to wait for a drain.
 */
export function writeLiveFacts(facts: StoredFact[], budget: number, write: (frame: Buffer) => boolean): boolean {
  const hit = wholeBatches.get(facts);
  if (hit?.budget === budget) return write(hit.notification.frame);
  let ok = true;
  for (const notification of factBatches(facts, budget, true)) {
    if (!write((notification as EncodedMessage).frame)) ok = false;
  }
  return ok;
}

function* factBatches(facts: StoredFact[], budget: number, shared: boolean): Generator<Notification> {
  if (shared) {
    const hit = wholeBatches.get(facts);
    if (hit?.budget === budget) {
      yield hit.notification;
      return;
    }
  }
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
      yield encodeFacts(batch, shared);
      batch = [];
      size = 0;
    }
    // A single fact larger than the budget still goes out, alone: FactCast silently drops it,
    // which loses data; the client's own message limit will report it loudly instead.
    batch.push(fact);
    size += bytes;
  }
  if (batch.length === 0) return;
  const notification = encodeFacts(batch, shared);
  if (shared && batch.length === facts.length) wholeBatches.set(facts, { budget, notification });
  yield notification;
}

// Protobuf wire tags (field number << 3 | wire type) of the messages encoded by hand below.
const TAG_NOTIFICATION_TYPE = (1 << 3) | 0; // MSG_Notification.type, varint
const TAG_NOTIFICATION_FACTS = (4 << 3) | 2; // MSG_Notification.facts, length-delimited
export const TAG_FACTS_FACT = (1 << 3) | 2; // MSG_Facts.fact (repeated)
export const TAG_FACT_HEADER = (1 << 3) | 2; // MSG_Fact.header
export const TAG_FACT_PAYLOAD = (2 << 3) | 2; // MSG_Fact.payload

// A live fact's MSG_Fact encoding, made once however many followers receive it. Weak, so it lives
// exactly as long as the fact object the tail hub hands out. Catch-up facts have one reader: they
// are written straight into their notification instead.
const sharedEncodings = new WeakMap<StoredFact, Buffer>();

/**
 * A live batch that fits one notification, framed once: the tail hub hands one facts array to every
 * follower of the same specs per tick (store/subscriptions/tail.ts), and each of them writes these
 * same bytes. Keyed by the array, so it lives as long as some follower still holds the batch; a
 * batch too large for one notification is not kept (its facts' encodings still are).
 */
const wholeBatches = new WeakMap<
  StoredFact[],
  { budget: number; notification: EncodedMessage<typeof MSG_NotificationSchema> }
>();

/**
 * A Facts notification in wire form, inside its gRPC frame. Hand-encoded because it is the store's
 * hottest path: the generic encoder spends ~7 µs per 1 KB fact and would repeat that per follower.
 */
function encodeFacts(facts: StoredFact[], shared: boolean): EncodedMessage<typeof MSG_NotificationSchema> {
  const sizes = facts.map((fact) => (shared ? { encoded: sharedEncoding(fact) } : measure(fact)));
  let factsLength = 0;
  for (const size of sizes) {
    const body = bodyLength(size);
    factsLength += 1 + varintLength(body) + body;
  }
  const { out, at: start } = factsFrame(factsLength);
  let at = start;
  sizes.forEach((size, i) => {
    out[at++] = TAG_FACTS_FACT;
    at = writeVarint(out, at, bodyLength(size));
    if ("encoded" in size) {
      out.set(size.encoded, at);
      at += size.encoded.length;
    } else {
      at = writeFact(out, at, facts[i], size);
    }
  });
  return new EncodedMessage(out);
}

/**
 * A buffer for one Facts notification whose MSG_Facts body is `factsLength` bytes: room for the gRPC
 * frame prefix (filled in by EncodedMessage), the notification's type and the facts field's tag and
 * length written, and `at` where the first MSG_Fact goes. Shared by the live encoder above and the
 * catch-up rows encoder (store/protocol/row-notifications.ts), so both frames start byte for byte alike.
 */
export function factsFrame(factsLength: number): { out: Buffer; at: number } {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + 3 + varintLength(factsLength) + factsLength);
  let at = PREFIX_BYTES;
  out[at++] = TAG_NOTIFICATION_TYPE;
  out[at++] = Type.Facts;
  out[at++] = TAG_NOTIFICATION_FACTS;
  return { out, at: writeVarint(out, at, factsLength) };
}

export interface FactSize {
  headerBytes: number;
  payloadBytes: number;
}

export function measure(fact: StoredFact): FactSize {
  return { headerBytes: Buffer.byteLength(fact.header), payloadBytes: Buffer.byteLength(fact.payload) };
}

function bodyLength(size: FactSize | { encoded: Buffer }): number {
  return "encoded" in size ? size.encoded.length : fieldLength(size.headerBytes) + fieldLength(size.payloadBytes);
}

function sharedEncoding(fact: StoredFact): Buffer {
  let body = sharedEncodings.get(fact);
  if (body) return body;
  const size = measure(fact);
  body = Buffer.allocUnsafe(bodyLength(size));
  writeFact(body, 0, fact, size);
  sharedEncodings.set(fact, body);
  return body;
}

/** MSG_Fact's fields; proto3 leaves empty strings out, as the generic encoder does. */
export function writeFact(out: Buffer, at: number, fact: StoredFact, size: FactSize): number {
  if (size.headerBytes > 0) at = writeString(out, at, TAG_FACT_HEADER, fact.header, size.headerBytes);
  if (size.payloadBytes > 0) at = writeString(out, at, TAG_FACT_PAYLOAD, fact.payload, size.payloadBytes);
  return at;
}

export function fieldLength(bytes: number): number {
  return bytes === 0 ? 0 : 1 + varintLength(bytes) + bytes;
}

function writeString(out: Buffer, at: number, tag: number, value: string, bytes: number): number {
  out[at++] = tag;
  at = writeVarint(out, at, bytes);
  return at + out.write(value, at, bytes, "utf8");
}

export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

export function writeVarint(out: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}
