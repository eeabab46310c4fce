// One input line of `factline publish` → a fact ready to send, or the reason a store would refuse
// it. Checking locally is what lets publish report every bad line with its number and publish
// nothing, instead of failing halfway through with a store error about "fact[212]".
import { randomUUID } from "node:crypto";
import { memberSpans } from "../json-text";
import { isUuid } from "../../factcast/uuid";

/** The header parts `--ns --type …` give to every payload line. */
export interface Shorthand {
  ns: string;
  type?: string;
  version?: number;
  aggIds: string[];
  meta: Record<string, string>;
}

/** A valid line: the header as an object (id may still be missing) and the payload's exact text. */
export interface InputFact {
  header: Record<string, unknown>;
  /** header.id when the line had one (lower-cased), for duplicate detection. */
  id?: string;
  payload: string;
}

export type LineResult = { ok: true; fact: InputFact } | { ok: false; error: string };

/** A fact as it goes on the wire. */
export interface WireFact {
  id: string;
  header: string;
  payload: string;
}

// Versions are int32 on FactCast's wire (MSG_IntSet, MSG_UUID_AND_VERSION).
export const MAX_VERSION = 2_147_483_647;
/** The store sets these itself; values from a catchup being re-published are dropped, not refused. */
const SERVER_META = new Set(["_ser", "_ts"]);

export function parseLine(text: string, shorthand?: Shorthand): LineResult {
  try {
    return { ok: true, fact: shorthand ? payloadLine(text, shorthand) : factLine(text) };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Fills in a random id when the line had none and serializes the header. */
export function toWireFact(fact: InputFact): WireFact {
  const id = fact.id ?? randomUUID();
  const header = fact.id ? fact.header : { id, ...fact.header };
  return { id, header: JSON.stringify(header), payload: fact.payload };
}

class InputError extends Error {}

function factLine(text: string): InputFact {
  const line = parseJson(text, "the line");
  if (!isObject(line)) throw new InputError(`expected an object {"header":{…},"payload":…}, got ${describe(line)}`);
  for (const key of Object.keys(line)) {
    if (key !== "header" && key !== "payload")
      throw new InputError(`unexpected key "${key}" (a line holds "header" and "payload")`);
  }
  if (!("header" in line)) throw new InputError(`"header" is missing`);
  if (!("payload" in line)) throw new InputError(`"payload" is missing (use {} for a fact without payload)`);
  const header = checkHeader(line.header);
  requireStorable(text, line, "");
  // The exact bytes of the payload value, so the store keeps them as written.
  const span = memberSpans(text).get("payload")!;
  return { header, id: header.id as string | undefined, payload: text.slice(span.start, span.end) };
}

function payloadLine(text: string, shorthand: Shorthand): InputFact {
  const payload = parseJson(text, "the payload");
  requireStorable(text, payload, "payload");
  const header: Record<string, unknown> = { ns: shorthand.ns };
  if (shorthand.type !== undefined) header.type = shorthand.type;
  if (shorthand.version !== undefined) header.version = shorthand.version;
  if (shorthand.aggIds.length > 0) header.aggIds = shorthand.aggIds;
  if (Object.keys(shorthand.meta).length > 0) header.meta = shorthand.meta;
  return { header, payload: text.trim() };
}

/** The checks a FactCast store makes on a header, with messages that name the field. */
function checkHeader(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw new InputError(`header must be an object, got ${describe(raw)}`);
  const header = { ...raw };
  if (header.id !== undefined) {
    if (!isUuid(header.id))
      throw new InputError(`header.id must be a UUID, got ${describe(header.id)} (leave it out to get a new one)`);
    header.id = header.id.toLowerCase();
  }
  if (typeof header.ns !== "string" || header.ns.trim() === "") {
    throw new InputError(`header.ns must be a non-blank string, got ${describe(header.ns)}`);
  }
  if (header.type != null && typeof header.type !== "string")
    throw new InputError(`header.type must be a string, got ${describe(header.type)}`);
  if (header.version != null) {
    const v = header.version;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_VERSION) {
      throw new InputError(`header.version must be an integer from 0 to ${MAX_VERSION}, got ${describe(v)}`);
    }
  }
  if (header.aggIds != null) {
    if (!Array.isArray(header.aggIds))
      throw new InputError(`header.aggIds must be an array of UUIDs, got ${describe(header.aggIds)}`);
    header.aggIds.forEach((id, i) => {
      if (!isUuid(id)) throw new InputError(`header.aggIds[${i}] must be a UUID, got ${describe(id)}`);
    });
  }
  if (header.meta != null) {
    if (!isObject(header.meta)) throw new InputError(`header.meta must be an object, got ${describe(header.meta)}`);
    const meta: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(header.meta)) {
      if (SERVER_META.has(key)) continue;
      const ok = typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
      if (!ok)
        throw new InputError(`header.meta.${key} must be a string or an array of strings, got ${describe(value)}`);
      meta[key] = value;
    }
    header.meta = meta;
  }
  return header;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * PostgreSQL refuses \u0000 and unpaired surrogates in JSON text although JSON.parse accepts them;
 * only escapes produce them, so text without "\u" is skipped cheaply.
 */
function requireStorable(text: string, value: unknown, path: string): void {
  if (!text.includes("\\u")) return;
  const check = (s: string, at: string) => {
    if (s.includes("\u0000"))
      throw new InputError(`${at || "the value"} contains \\u0000, which PostgreSQL cannot store`);
    if (!s.isWellFormed())
      throw new InputError(
        `${at || "the value"} contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), which PostgreSQL cannot store`,
      );
  };
  const walk = (v: unknown, at: string) => {
    if (typeof v === "string") check(v, at);
    else if (Array.isArray(v)) v.forEach((e, i) => walk(e, `${at}[${i}]`));
    else if (isObject(v)) {
      for (const [key, e] of Object.entries(v)) {
        check(key, `${at} key ${JSON.stringify(key.slice(0, 40))}`);
        walk(e, at ? `${at}.${key}` : key);
      }
    }
  };
  walk(value, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
