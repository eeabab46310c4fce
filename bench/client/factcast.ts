/**
 * FactCast calls over the lean client: what the scenarios send, encoded with the generated schemas
 * (UUIDs and spec JSON by factcast/, as every other client here), and a notification scanner that
 * counts facts without decoding their strings (decoding a million 1 KB facts would cost the client
 * more than the store spends sending them).
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { factSpecsJson, subscriptionRequest, type FactSpecInput } from "../../factcast/spec";
import { toMsgUuid } from "../../factcast/uuid";
import {
  MSG_ConditionalPublishRequestSchema,
  MSG_ConditionalPublishResultSchema,
  MSG_FactSpecsJsonSchema,
  MSG_FactsSchema,
  MSG_NotificationSchema,
  MSG_OptionalFactSchema,
  MSG_SerialSchema,
  MSG_StringSchema,
  MSG_StringSetSchema,
  MSG_SubscriptionRequestSchema,
  MSG_UUIDSchema,
  MSG_EmptySchema,
  type MSG_Notification,
  type MSG_UUID,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { FACT_STORE, type GrpcConnection, type StreamHandle } from "./grpc";

export interface WireFact {
  header: string;
  payload: string;
}

export async function publish(conn: GrpcConnection, facts: WireFact[]): Promise<void> {
  await conn.unary(`${FACT_STORE}/publish`, toBinary(MSG_FactsSchema, create(MSG_FactsSchema, { fact: facts })));
}

/** The subscription request as FactCast's Java client writes it. */
export function subscriptionBytes(specs: FactSpecInput[], continuous: boolean): Uint8Array {
  return toBinary(MSG_SubscriptionRequestSchema, subscriptionRequest({ specs, continuous, debugInfo: "bench" }));
}

// MSG_Notification field numbers and types (FactStore.proto).
const FIELD_TYPE = 1;
const FIELD_FACT = 2;
const FIELD_FACTS = 4;
export const NOTIFICATION = { Fact: 0, Catchup: 2, Complete: 3, Facts: 4 } as const;

/** Type and fact count of one notification, found by walking protobuf tags and skipping strings. */
export function scanNotification(bytes: Uint8Array): { type: number; facts: number } {
  let type = 0;
  let facts = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = varint(bytes, pos);
    pos = afterTag;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const [value, next] = varint(bytes, pos);
      if (field === FIELD_TYPE) type = value;
      pos = next;
    } else if (wire === 2) {
      const [length, start] = varint(bytes, pos);
      if (field === FIELD_FACTS) facts += countRepeated(bytes, start, start + length);
      else if (field === FIELD_FACT) facts += 1;
      pos = start + length;
    } else {
      throw new Error(`unexpected wire type ${wire} in a notification`);
    }
  }
  return { type, facts };
}

/** Counts the length-delimited entries of MSG_Facts (all of them are field 1, `fact`). */
function countRepeated(bytes: Uint8Array, pos: number, end: number): number {
  let n = 0;
  while (pos < end) {
    const [, afterTag] = varint(bytes, pos);
    const [length, start] = varint(bytes, afterTag);
    pos = start + length;
    n++;
  }
  return n;
}

function varint(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

export function decodeNotification(bytes: Uint8Array): MSG_Notification {
  return fromBinary(MSG_NotificationSchema, bytes);
}

/** Reads a catch-up subscription to its end, counting facts; resolves with the count. */
export function catchUp(conn: GrpcConnection, specs: FactSpecInput[]): Promise<number> {
  let facts = 0;
  let complete = false;
  const handle = conn.serverStream(`${FACT_STORE}/subscribe`, subscriptionBytes(specs, false), (m) => {
    const n = scanNotification(m);
    facts += n.facts;
    if (n.type === NOTIFICATION.Complete) complete = true;
  });
  return handle.done.then(() => {
    if (!complete) throw new Error(`catch-up ended after ${facts} facts without Complete`);
    return facts;
  });
}

export type { StreamHandle };

// ---- unary lookups ------------------------------------------------------------------------------

export async function fetchBySerial(conn: GrpcConnection, serial: bigint): Promise<boolean> {
  const res = await conn.unary(
    `${FACT_STORE}/fetchBySerial`,
    toBinary(MSG_SerialSchema, create(MSG_SerialSchema, { serial })),
  );
  return fromBinary(MSG_OptionalFactSchema, res).present;
}

export async function fetchById(conn: GrpcConnection, id: string): Promise<boolean> {
  const res = await conn.unary(`${FACT_STORE}/fetchById`, toBinary(MSG_UUIDSchema, toMsgUuid(id)));
  return fromBinary(MSG_OptionalFactSchema, res).present;
}

export async function enumerateNamespaces(conn: GrpcConnection): Promise<string[]> {
  const res = await conn.unary(`${FACT_STORE}/enumerateNamespaces`, toBinary(MSG_EmptySchema, create(MSG_EmptySchema)));
  return fromBinary(MSG_StringSetSchema, res).embeddedString;
}

export async function enumerateTypes(conn: GrpcConnection, ns: string): Promise<string[]> {
  const res = await conn.unary(
    `${FACT_STORE}/enumerateTypes`,
    toBinary(MSG_StringSchema, create(MSG_StringSchema, { embeddedString: ns })),
  );
  return fromBinary(MSG_StringSetSchema, res).embeddedString;
}

/** stateForSpecsJson: the optimistic-lock token for `specs` (as msb/lsb). */
export async function stateFor(conn: GrpcConnection, specs: FactSpecInput[]): Promise<MSG_UUID> {
  const res = await conn.unary(
    `${FACT_STORE}/stateForSpecsJson`,
    toBinary(MSG_FactSpecsJsonSchema, factSpecsJson(specs)),
  );
  return fromBinary(MSG_UUIDSchema, res);
}

export async function publishConditional(conn: GrpcConnection, facts: WireFact[], token: MSG_UUID): Promise<boolean> {
  const req = create(MSG_ConditionalPublishRequestSchema, { facts: { fact: facts }, tokenPresent: true, token });
  const res = await conn.unary(`${FACT_STORE}/publishConditional`, toBinary(MSG_ConditionalPublishRequestSchema, req));
  return fromBinary(MSG_ConditionalPublishResultSchema, res).success;
}
