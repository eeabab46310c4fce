import { isUtf8 } from "node:buffer";
import { InvalidInputError } from "../errors";
import { canonicalUuid } from "../../factcast/uuid";
import { unstorableText } from "./storable";

/** A fact as stored and delivered: header and payload as JSON text, and its serial. */
export interface StoredFact {
  ser: bigint;
  header: string;
  payload: string;
}

/** The header fields the store reads; everything else in a header is kept as sent. */
export interface FactHeader {
  id: string;
  ns: string;
  type?: string | null;
  version?: number;
  aggIds?: string[];
  meta?: Record<string, string | string[]>;
  [other: string]: unknown;
}

/** A fact checked and normalised for insertion; `_ser` and `_ts` are added by the appender. */
export interface FactToPublish {
  header: FactHeader;
  /**
   * The payload exactly as the client sent it, as UTF-8 bytes. Whether it is JSON is checked by
   * PostgreSQL while inserting (the store parses it only when something needs its value: a schema,
   * an escape to check, a rejected insert to explain — see payloadValue).
   */
  payload: Buffer;
  /**
   * Set when the payload must be parsed before it is stored (it holds an escape or a control
   * character) but is too large to parse on the main thread: the registry's check parses it in a
   * validation worker (store/schemas/payload-checks.ts).
   */
  parseBeforeStoring?: boolean;
}

// Versions are int32 on the wire (MSG_UUID_AND_VERSION.ver, MSG_IntSet).
const MAX_VERSION = 2_147_483_647;
// A header holds ids, type, version, aggIds and meta: a few hundred bytes. The store parses it on
// the main thread for every publish, and PostgreSQL indexes every path and value in it
// (idx_fact_header, written under the writers' lock), so its size is bounded before it is parsed;
// 64 KiB leaves room for hundreds of meta entries. Data belongs in the payload.
export const MAX_HEADER_BYTES = 64 * 1024;
// Payloads up to this size that must be parsed before storing are parsed here, on the main thread
// (~10 µs per KB); larger ones in a validation worker (store/schemas/payload-checks.ts, INLINE_BYTES).
const PARSE_HERE_BYTES = 64 * 1024;

/**
 * Checks one fact of a publish and returns it normalised (ids lowercase, meta.source set), or throws
 * InvalidInputError naming the fact's position and the field to fix.
 */
export function prepareFact(
  raw: { header: string | Uint8Array; payload: string | Uint8Array },
  index: number,
  source?: string,
): FactToPublish {
  const where = `fact[${index}]`;
  const headerBytes = typeof raw.header === "string" ? Buffer.byteLength(raw.header) : raw.header.byteLength;
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new InvalidInputError(
      `${where}.header is ${headerBytes} bytes; at most ${MAX_HEADER_BYTES} are allowed: keep ids, type, version, aggIds and a few meta entries in the header, data in the payload`,
    );
  }
  const headerText =
    typeof raw.header === "string" ? raw.header : bufferOf(requireUtf8(raw.header, `${where}.header`)).toString("utf8");
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (err) {
    throw new InvalidInputError(`${where}.header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) throw new InvalidInputError(`${where}.header must be a JSON object`);
  if (headerText.includes("\\u")) requireStorableText(header, `${where}.header`);

  const id = canonicalUuid(header.id);
  if (id === undefined)
    throw new InvalidInputError(`${where}.header.id must be a UUID string, got ${describe(header.id)}`);
  if (typeof header.ns !== "string" || header.ns.trim() === "") {
    throw new InvalidInputError(`${where}.header.ns must be a non-blank string, got ${describe(header.ns)}`);
  }
  if (header.type !== undefined && header.type !== null && typeof header.type !== "string") {
    throw new InvalidInputError(`${where}.header.type must be a string, got ${describe(header.type)}`);
  }
  if (header.version !== undefined && header.version !== null) {
    const v = header.version;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_VERSION) {
      throw new InvalidInputError(
        `${where}.header.version must be an integer from 0 to ${MAX_VERSION}, got ${describe(v)}`,
      );
    }
  }

  const normalised: FactHeader = { ...header, id, ns: header.ns };
  if (header.version === null) delete normalised.version;
  if (header.aggIds !== undefined && header.aggIds !== null) {
    normalised.aggIds = prepareAggIds(header.aggIds, `${where}.header.aggIds`);
  } else {
    delete normalised.aggIds;
  }
  normalised.meta = prepareMeta(header.meta, `${where}.header.meta`);
  if (source !== undefined) normalised.meta.source = source;

  const payload =
    typeof raw.payload === "string" ? Buffer.from(raw.payload) : bufferOf(requireUtf8(raw.payload, `${where}.payload`));
  if (isBlank(payload)) {
    throw new InvalidInputError(`${where}.payload is empty; send {} for a fact without payload`);
  }
  const fact: FactToPublish = { header: normalised, payload };
  // Whether the rest is JSON, PostgreSQL checks on insert. Two control characters never occur in
  // JSON text and would not get that far: U+001E separates payloads on their way to PostgreSQL
  // (store/storage/append.ts), and PostgreSQL's text cannot hold U+0000; a payload holding either is
  // refused here in the parser's own words. An escape may hide text PostgreSQL cannot store: those
  // payloads are parsed and checked now.
  const escaped = payload.includes(BACKSLASH_U);
  if (escaped || payload.includes(RECORD_SEPARATOR) || payload.includes(NUL)) {
    if (payload.length > PARSE_HERE_BYTES) {
      fact.parseBeforeStoring = true;
      return fact;
    }
    const value = payloadValue(fact, index);
    if (escaped) requireStorableText(value, `${where}.payload`);
  }
  return fact;
}

const BACKSLASH_U = Buffer.from("\\u");
const RECORD_SEPARATOR = 0x1e;
const NUL = 0x00;

/**
 * The payload's JSON value, or InvalidInputError naming fact[index] (the index the client knows it
 * by) and the parser's complaint.
 */
export function payloadValue(fact: FactToPublish, index: number): unknown {
  try {
    return JSON.parse(fact.payload.toString("utf8"));
  } catch (err) {
    throw new InvalidInputError(`fact[${index}].payload is not valid JSON (${(err as Error).message})`);
  }
}

/** `bytes`, or InvalidInputError when they are not UTF-8: gRPC strings are UTF-8, and so is what PostgreSQL stores. */
function requireUtf8(bytes: Uint8Array, where: string): Uint8Array {
  if (!isUtf8(bytes)) throw new InvalidInputError(`${where} is not valid UTF-8; send UTF-8 text`);
  return bytes;
}

/** A Buffer over the same memory (no copy). */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Nothing but JSON whitespace (RFC 8259: space, tab, line feed, carriage return). */
function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

function prepareAggIds(value: unknown, where: string): string[] {
  if (!Array.isArray(value))
    throw new InvalidInputError(`${where} must be an array of UUID strings, got ${describe(value)}`);
  return value.map((v, i) => {
    const id = canonicalUuid(v);
    if (id === undefined) throw new InvalidInputError(`${where}[${i}] must be a UUID string, got ${describe(v)}`);
    return id;
  });
}

function prepareMeta(value: unknown, where: string): Record<string, string | string[]> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value))
    throw new InvalidInputError(`${where} must be an object of strings, got ${describe(value)}`);
  for (const [key, v] of Object.entries(value)) {
    // The store writes _ser and _ts itself; whatever a client sent there is replaced.
    if (key === "_ser" || key === "_ts") continue;
    const ok = typeof v === "string" || (Array.isArray(v) && v.every((e) => typeof e === "string"));
    if (!ok) {
      throw new InvalidInputError(`${where}.${key} must be a string or an array of strings, got ${describe(v)}`);
    }
  }
  const meta = { ...(value as Record<string, string | string[]>) };
  if (Object.hasOwn(meta, "_ser")) delete meta._ser;
  if (Object.hasOwn(meta, "_ts")) delete meta._ts;
  return meta;
}

/** Throws InvalidInputError when `value` holds text PostgreSQL cannot store (store/facts/storable.ts). */
function requireStorableText(value: unknown, path: string): void {
  const problem = unstorableText(value, path);
  if (problem) throw new InvalidInputError(problem);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}
