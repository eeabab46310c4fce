// The ONE place that turns what the store sends — FactCast's JSON-in-protobuf facts and factline's
// admin QueriedFacts — into the console's typed `Fact`. Header and payload texts pass through
// verbatim, so the browser shows exactly what is stored.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { consoleError } from "../upstream/errors";
import type { QueriedFact } from "../../../gen/factline/admin/v1/admin_pb";
import { FactSchema, MetaValuesSchema, type Fact, type MetaValues } from "../../../gen/factline/console/v1/console_pb";

/**
 * Payload previews in lists are cut to about this many bytes. A table cell shows one line (~200
 * characters); 1 KiB leaves room for the row's tooltip and a search-as-you-read glance, while a
 * 500-row page stays near half a megabyte however large the payloads are. GetFact sends them whole.
 */
export const PAYLOAD_PREVIEW_BYTES = 1024;

/** The store's own meta keys that the console shows as columns, not as meta. */
const STORE_META = new Set(["_ser", "_ts"]);

/** A FactCast fact as it travels: two JSON texts. */
export interface WireFact {
  header: string;
  payload: string;
}

/** The header fields the backend needs to reason about a fact (serial for cursors, ids for lookups). */
export interface ParsedHeader {
  id: string;
  ns: string;
  type: string;
  version: number;
  aggIds: string[];
  meta: Record<string, unknown>;
  /** meta._ser; 0n if the store left it out. */
  serial: bigint;
  /** meta._ts; 0n if absent. */
  publishedMs: bigint;
}

/** Parses a header text; a header that is not a JSON object is the store's fault (INTERNAL). */
export function parseHeader(headerJson: string): ParsedHeader {
  let header: unknown;
  try {
    header = JSON.parse(headerJson);
  } catch {
    throw consoleError(`the store returned a fact header that is not JSON: ${headerJson.slice(0, 200)}`, Code.Internal);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw consoleError(
      `the store returned a fact header that is not a JSON object: ${headerJson.slice(0, 200)}`,
      Code.Internal,
    );
  }
  const h = header as Record<string, unknown>;
  const meta = isObject(h.meta) ? h.meta : {};
  return {
    id: typeof h.id === "string" ? h.id : "",
    ns: typeof h.ns === "string" ? h.ns : "",
    type: typeof h.type === "string" ? h.type : "",
    version: typeof h.version === "number" && Number.isInteger(h.version) ? h.version : 0,
    aggIds: Array.isArray(h.aggIds) ? h.aggIds.filter((a): a is string => typeof a === "string") : [],
    meta,
    serial: toBigInt(meta._ser),
    publishedMs: toBigInt(meta._ts),
  };
}

/** A FactCast fact (fetchById, fetchBySerial, subscribe) → console Fact; `previewBytes` cuts the payload. */
export function reshapeWireFact(fact: WireFact, previewBytes?: number): Fact {
  const header = parseHeader(fact.header);
  const preview = previewBytes === undefined ? wholePayload(fact.payload) : cutPayload(fact.payload, previewBytes);
  return build(header, fact.header, preview, header.serial);
}

/** An admin QueriedFact (already previewed by the store) → console Fact. */
export function reshapeQueriedFact(fact: QueriedFact): Fact {
  const header = parseHeader(fact.header);
  const preview = { text: fact.payload, truncated: fact.payloadTruncated, bytes: fact.payloadBytes };
  return build(header, fact.header, preview, fact.serial > 0n ? fact.serial : header.serial);
}

export interface PayloadPreview {
  text: string;
  truncated: boolean;
  /** The whole payload's size in UTF-8 bytes. */
  bytes: bigint;
}

/** Cuts a payload to at most `maxBytes` UTF-8 bytes, never inside a character. */
export function cutPayload(payload: string, maxBytes: number): PayloadPreview {
  const bytes = Buffer.byteLength(payload, "utf8");
  if (bytes <= maxBytes) return { text: payload, truncated: false, bytes: BigInt(bytes) };
  // Only the head is encoded: 4 bytes per UTF-16 unit is the worst case, so this prefix suffices.
  const head = Buffer.from(payload.slice(0, maxBytes + 1), "utf8");
  let end = Math.min(maxBytes, head.length);
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (head[end] & 0xc0) === 0x80) end--;
  return { text: head.subarray(0, end).toString("utf8"), truncated: true, bytes: BigInt(bytes) };
}

function wholePayload(payload: string): PayloadPreview {
  return { text: payload, truncated: false, bytes: BigInt(Buffer.byteLength(payload, "utf8")) };
}

function build(header: ParsedHeader, headerJson: string, payload: PayloadPreview, serial: bigint): Fact {
  return create(FactSchema, {
    serial,
    id: header.id,
    ns: header.ns,
    type: header.type,
    version: header.version,
    aggIds: header.aggIds,
    meta: metaLists(header.meta),
    publishedMs: header.publishedMs,
    headerJson,
    payloadJson: payload.text,
    payloadTruncated: payload.truncated,
    payloadBytes: payload.bytes,
  });
}

/**
 * FactCast meta values are strings or lists of strings (Java also accepts numbers, booleans and
 * null, and reads them as strings). The console always gets lists: a string is a list of one,
 * null an empty list.
 */
function metaLists(meta: Record<string, unknown>): Record<string, MetaValues> {
  const out: Record<string, MetaValues> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (STORE_META.has(key)) continue;
    const values = Array.isArray(value)
      ? value.filter((v) => v !== null).map(metaText)
      : value === null
        ? []
        : [metaText(value)];
    out[key] = create(MetaValuesSchema, { values });
  }
  return out;
}

function metaText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function toBigInt(value: unknown): bigint {
  return typeof value === "number" && Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
