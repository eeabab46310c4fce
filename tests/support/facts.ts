// Building facts the way a FactCast client publishes them and reading them back as the store
// delivers them, so tests compare what a consumer would see rather than raw protobuf.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  MSG_FactSchema,
  MSG_FactsSchema,
  type MSG_Fact,
  type MSG_Facts,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { toMsgUuid, type FactStoreClient } from "./client.js";

export interface FactInput {
  id?: string;
  ns: string;
  type?: string;
  version?: number;
  aggIds?: string[];
  meta?: Record<string, string | string[]>;
  /** An object is JSON-serialized; a string is sent verbatim (it must be the exact payload text). */
  payload?: unknown;
  /** Additional top-level header attributes. */
  extra?: Record<string, unknown>;
}

/** A MSG_Fact with a fresh random id unless one is given. */
export function fact(input: FactInput): MSG_Fact {
  const header = {
    id: input.id ?? randomUUID(),
    ns: input.ns,
    ...(input.type === undefined ? {} : { type: input.type }),
    version: input.version ?? 0,
    aggIds: input.aggIds ?? [],
    meta: input.meta ?? {},
    ...input.extra,
  };
  const payload = typeof input.payload === "string" ? input.payload : JSON.stringify(input.payload ?? {});
  return rawFact(JSON.stringify(header), payload);
}

/** A MSG_Fact from literal header and payload text, for malformed-input cases. */
export function rawFact(header: string, payload: string): MSG_Fact {
  return create(MSG_FactSchema, { header, payload });
}

export function factsMsg(list: MSG_Fact[]): MSG_Facts {
  return create(MSG_FactsSchema, { fact: list });
}

export function idOf(f: MSG_Fact): string {
  return (JSON.parse(f.header) as { id: string }).id;
}

/** A delivered fact: parsed header plus the exact texts the store sent. */
export interface StoredFact {
  id: string;
  ns: string;
  type?: string;
  version?: number;
  aggIds?: string[];
  meta: Record<string, unknown>;
  /** meta._ser; NaN if the store did not send it (tests assert it is there). */
  serial: number;
  header: Record<string, unknown>;
  headerText: string;
  payloadText: string;
}

export function parseFact(msg: MSG_Fact): StoredFact {
  const header = JSON.parse(msg.header) as Record<string, unknown> & { meta?: Record<string, unknown> };
  const meta = header.meta ?? {};
  return {
    id: String(header.id),
    ns: String(header.ns),
    type: header.type as string | undefined,
    version: header.version as number | undefined,
    aggIds: header.aggIds as string[] | undefined,
    meta,
    serial: typeof meta._ser === "number" ? meta._ser : Number.NaN,
    header,
    headerText: msg.header,
    payloadText: msg.payload,
  };
}

// ---------------------------------------------------------------------------------------------
// Small call helpers used by every topic file.

export async function publish(
  client: FactStoreClient,
  list: MSG_Fact[],
  headers?: Record<string, string>,
): Promise<void> {
  await client.publish(factsMsg(list), { headers });
}

export async function latestSerial(client: FactStoreClient): Promise<number> {
  return Number((await client.latestSerial({})).serial);
}

export async function serialOf(client: FactStoreClient, id: string): Promise<number | undefined> {
  const res = await client.serialOf(toMsgUuid(id));
  return res.present ? Number(res.serial) : undefined;
}

export async function fetchById(client: FactStoreClient, id: string): Promise<StoredFact | undefined> {
  const res = await client.fetchById(toMsgUuid(id));
  return res.present && res.fact ? parseFact(res.fact) : undefined;
}

/** Unique names per test so tests sharing one database never see each other's facts. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export { randomUUID };
