import { isUtf8 } from "node:buffer";
import { InvalidInputError } from "../errors";
import { canonicalUuid } from "../../factcast/uuid";

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
}

// Versions are int32 on the wire (MSG_UUID_AND_VERSION.ver, MSG_IntSet).
const MAX_VERSION = 2_147_483_647;

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
  const fact = { header: normalised, payload };
  // Whether the rest is JSON, PostgreSQL checks on insert. Two control characters never occur in
  // JSON text and would not get that far: U+001E separates payloads on their way to PostgreSQL
  // (store/storage/append.ts), and PostgreSQL's text cannot hold U+0000; a payload holding either is
  // refused here in the parser's own words. An escape may hide text PostgreSQL cannot store: those
  // payloads are parsed and checked now.
  const escaped = payload.includes(BACKSLASH_U);
  if (escaped || payload.includes(RECORD_SEPARATOR) || payload.includes(NUL)) {
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

/**
 * PostgreSQL's JSON functions refuse \u0000 and unpaired UTF-16 surrogates, which JSON.parse
 * accepts. A fact holding them could be stored but never matched or read by path, so it is refused
 * up front, naming where. Only escapes can produce them, hence callers check only text with "\u".
 */
function requireStorableText(value: unknown, path: string): void {
  const check = (text: string, at: string) => {
    if (text.includes("\u0000"))
      throw new InvalidInputError(`${at} contains \\u0000, which PostgreSQL cannot store; remove it`);
    if (!text.isWellFormed()) {
      throw new InvalidInputError(
        `${at} contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which PostgreSQL cannot store; fix the text`,
      );
    }
  };
  if (typeof value === "string") check(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => requireStorableText(v, `${path}[${i}]`));
  else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      check(key, `${path} key ${JSON.stringify(key.slice(0, 40))}`);
      requireStorableText(v, `${path}.${key}`);
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}
