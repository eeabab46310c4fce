import { InvalidInputError } from "../errors";
import { isPlainObject } from "./fact";
import { canonicalUuid } from "../../factcast/uuid";

/**
 * A FactSpec as the store uses it: what FactCast's JSON says, validated and normalised once at the
 * protocol edge (UUIDs lowercase, legacy `aggId` merged, `*` type folded into "any").
 */
export interface FactSpec {
  /** "*" matches every namespace. */
  ns: string;
  /** undefined matches every type. */
  type?: string;
  /** 0 = as published; > 0 asks for that version (which would need a transformation). Not a filter. */
  version: number;
  /** The fact's aggIds must contain all of these. */
  aggIds: string[];
  /** Each key must have this value in header.meta (equal, or a member of an array value). */
  meta: Record<string, string>;
  /** true: the meta key must be present; false: it must be absent. */
  metaKeyExists: Record<string, boolean>;
  /** Dotted payload path → UUID the value at that path must equal (case-insensitively). */
  aggIdProperties: Record<string, string>;
  /**
   * JavaScript `function (header, payload) { return true or false }`: a fact matching the rest of
   * the spec is delivered only when it returns true (FactCast's filterScript, or 0.4's
   * jsFilterScript). Run in the sandbox after the database's pre-filter (store/transformations/delivery.ts).
   */
  filterScript?: string;
}

/**
 * What one request may ask for (README "Security", Limits). Every spec becomes a branch of one SQL
 * statement and is tried on every live fact of its namespace, and PostgreSQL takes at most 65,535
 * bind parameters per statement: these bounds keep both far inside what the store can serve.
 */
export const SPEC_LIMITS = Object.freeze({
  // A subscription names what it reads: a thousand specs is far beyond a projection's types and
  // versions; more means a broader spec (ns, type) or several subscriptions.
  specs: 1_000,
  // A fact must carry every aggId of the spec; facts carry a handful.
  aggIdsPerSpec: 100,
  // meta, metaKeyExists and aggIdProperties entries, each, per spec.
  entriesPerSpec: 32,
  // All specs' meta, metaKeyExists and aggIdProperties entries together: each takes one or two bind
  // parameters, so 10,000 keep a statement under ~22,000 of PostgreSQL's 65,535.
  entriesPerRequest: 10_000,
});

// FactCast's client refuses keepalive intervals below this (FluentSubscriptionRequest): shorter ones
// would have the store send a notification every few milliseconds for a request of a few bytes.
export const MIN_KEEPALIVE_MS = 3_000;
// The longest delay a Node timer holds; a longer interval would fire after 1 ms, so it is served as this.
const MAX_KEEPALIVE_MS = 2 ** 31 - 1;

export interface SubscriptionRequest {
  specs: FactSpec[];
  continuous: boolean;
  ephemeral: boolean;
  startingAfter?: string;
  keepaliveIntervalMs: number;
  streamInfo: boolean;
  debugInfo?: string;
}

/** Parses MSG_SubscriptionRequest.json as the Java client writes it (explicit nulls, unknown keys ignored). */
export function parseSubscriptionRequest(json: string): SubscriptionRequest {
  const raw = parseJsonObject(json, "subscription request");
  const startingAfter = raw.startingAfter ?? undefined;
  const startId = startingAfter === undefined ? undefined : canonicalUuid(startingAfter);
  if (startingAfter !== undefined && startId === undefined) {
    throw new InvalidInputError(`startingAfter must be a fact id (UUID), got ${JSON.stringify(startingAfter)}`);
  }
  const keepalive = raw.keepaliveIntervalInMs ?? 0;
  if (typeof keepalive !== "number" || !Number.isInteger(keepalive) || keepalive < 0) {
    throw new InvalidInputError(
      `keepaliveIntervalInMs must be a non-negative integer, got ${JSON.stringify(keepalive)}`,
    );
  }
  if (keepalive > 0 && keepalive < MIN_KEEPALIVE_MS) {
    throw new InvalidInputError(
      `keepaliveIntervalInMs must be 0 (no keepalives) or at least ${MIN_KEEPALIVE_MS} (FactCast's minimum), got ${keepalive}`,
    );
  }
  return {
    specs: parseSpecList(raw.specs, "specs"),
    continuous: optionalBoolean(raw.continuous, "continuous"),
    ephemeral: optionalBoolean(raw.ephemeral, "ephemeral"),
    startingAfter: startId,
    keepaliveIntervalMs: Math.min(keepalive, MAX_KEEPALIVE_MS),
    streamInfo: optionalBoolean(raw.streamInfo, "streamInfo"),
    debugInfo: typeof raw.debugInfo === "string" ? raw.debugInfo : undefined,
  };
}

/** Parses MSG_FactSpecsJson.json: a non-empty JSON array of FactSpec. */
export function parseFactSpecsJson(json: string): FactSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new InvalidInputError(`fact specs are not valid JSON (${(err as Error).message})`);
  }
  return parseSpecList(raw, "specs");
}

export function parseSpecList(raw: unknown, where: string): FactSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new InvalidInputError(`${where} must be a non-empty array of FactSpecs`);
  }
  // Counted before any spec is parsed: a request of 100,000 specs costs only its JSON.parse.
  requireSpecCount(raw.length, where);
  const specs = raw.map((spec, i) => parseFactSpec(spec, `${where}[${i}]`));
  requireEntryTotal(specs, where);
  return specs;
}

/**
 * Checks specs built elsewhere (the console's filters) against SPEC_LIMITS, as parseSpecList
 * does for FactCast's JSON.
 */
export function requireSpecLimits(specs: FactSpec[], where: string): void {
  requireSpecCount(specs.length, where);
  specs.forEach((spec, i) => {
    const at = `${where}[${i}]`;
    requireAtMost(spec.aggIds.length, SPEC_LIMITS.aggIdsPerSpec, `${at}.aggIds`, "UUIDs");
    requireAtMost(Object.keys(spec.meta).length, SPEC_LIMITS.entriesPerSpec, `${at}.meta`, "entries");
    requireAtMost(Object.keys(spec.metaKeyExists).length, SPEC_LIMITS.entriesPerSpec, `${at}.metaKeyExists`, "entries");
  });
  requireEntryTotal(specs, where);
}

function requireSpecCount(count: number, where: string): void {
  if (count > SPEC_LIMITS.specs) {
    throw new InvalidInputError(
      `${where} has ${count} FactSpecs; at most ${SPEC_LIMITS.specs} are allowed per request: use broader specs (ns, type) or several subscriptions`,
    );
  }
}

function requireAtMost(count: number, limit: number, where: string, what: string): void {
  if (count > limit) {
    throw new InvalidInputError(`${where} has ${count} ${what}; at most ${limit} are allowed per FactSpec`);
  }
}

function requireEntryTotal(specs: FactSpec[], where: string): void {
  let total = 0;
  for (const s of specs) {
    total += Object.keys(s.meta).length + Object.keys(s.metaKeyExists).length + Object.keys(s.aggIdProperties).length;
  }
  if (total > SPEC_LIMITS.entriesPerRequest) {
    throw new InvalidInputError(
      `${where} have ${total} meta, metaKeyExists and aggIdProperties entries together; at most ${SPEC_LIMITS.entriesPerRequest} are allowed per request`,
    );
  }
}

export function parseFactSpec(raw: unknown, where: string): FactSpec {
  if (!isPlainObject(raw)) throw new InvalidInputError(`${where} must be an object`);
  if (typeof raw.ns !== "string" || raw.ns.trim() === "") {
    throw new InvalidInputError(`${where}.ns must be a non-blank string (or "*" for every namespace)`);
  }
  if (raw.type != null && typeof raw.type !== "string") {
    throw new InvalidInputError(`${where}.type must be a string or null`);
  }
  const version = raw.version ?? 0;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new InvalidInputError(`${where}.version must be a non-negative integer`);
  }

  if (Array.isArray(raw.aggIds))
    requireAtMost(raw.aggIds.length, SPEC_LIMITS.aggIdsPerSpec, `${where}.aggIds`, "UUIDs");
  const aggIds = uuidList(raw.aggIds ?? [], `${where}.aggIds`);
  // Clients before 0.9 send a single `aggId`; FactCast servers up to 0.9 merged it into aggIds.
  if (raw.aggId != null) {
    const legacy = canonicalUuid(raw.aggId);
    if (legacy === undefined) throw new InvalidInputError(`${where}.aggId must be a UUID`);
    if (!aggIds.includes(legacy)) aggIds.push(legacy);
  }

  const aggIdProperties: Record<string, string> = {};
  for (const [path, value] of entriesOf(raw.aggIdProperties, `${where}.aggIdProperties`)) {
    const id = canonicalUuid(value);
    if (id === undefined) throw new InvalidInputError(`${where}.aggIdProperties.${path} must be a UUID`);
    if (path.trim() === "" || path.split(".").some((p) => p === "")) {
      throw new InvalidInputError(
        `${where}.aggIdProperties key ${JSON.stringify(path)} must be a dotted path like "customer.id"`,
      );
    }
    aggIdProperties[path] = id;
  }

  const meta: Record<string, string> = {};
  for (const [key, value] of entriesOf(raw.meta, `${where}.meta`)) {
    if (typeof value !== "string") throw new InvalidInputError(`${where}.meta.${key} must be a string`);
    meta[key] = value;
  }
  const metaKeyExists: Record<string, boolean> = {};
  for (const [key, value] of entriesOf(raw.metaKeyExists, `${where}.metaKeyExists`)) {
    if (typeof value !== "boolean") throw new InvalidInputError(`${where}.metaKeyExists.${key} must be true or false`);
    metaKeyExists[key] = value;
  }

  const type = raw.type == null || raw.type === "*" ? undefined : raw.type;
  const filterScript = filterScriptOf(raw, where);
  return {
    ns: raw.ns,
    type,
    version,
    aggIds,
    meta,
    metaKeyExists,
    aggIdProperties,
    ...(filterScript === undefined ? {} : { filterScript }),
  };
}

// A filter script is a function of a few lines; a bound keeps one subscription from handing the
// sandbox megabytes to compile.
export const MAX_FILTER_SCRIPT_CHARS = 64 * 1024;

/**
 * The script of a spec: `filterScript` ({"languageIdentifier":"js","source":…}) wins over the
 * legacy `jsFilterScript` string, as in FactCast's FactSpec (0.4 clients send both, the same).
 */
function filterScriptOf(raw: Record<string, unknown>, where: string): string | undefined {
  let source: unknown;
  let field: string;
  if (raw.filterScript != null) {
    field = `${where}.filterScript`;
    if (!isPlainObject(raw.filterScript)) {
      throw new InvalidInputError(
        `${field} must be an object {"languageIdentifier": "js", "source": "function (h, p) { … }"}`,
      );
    }
    const language = raw.filterScript.languageIdentifier;
    if (typeof language !== "string" || language.toLowerCase() !== "js") {
      throw new InvalidInputError(
        `${field}.languageIdentifier must be "js" (JavaScript is the only filter language), got ${JSON.stringify(language ?? null)}`,
      );
    }
    source = raw.filterScript.source;
    field += ".source";
  } else if (raw.jsFilterScript != null) {
    field = `${where}.jsFilterScript`;
    source = raw.jsFilterScript;
  } else {
    return undefined;
  }
  if (typeof source !== "string" || source.trim() === "") {
    throw new InvalidInputError(`${field} must be the text of a function (header, payload) returning true or false`);
  }
  if (source.length > MAX_FILTER_SCRIPT_CHARS) {
    throw new InvalidInputError(
      `${field} is ${source.length} characters; a filter script may have at most ${MAX_FILTER_SCRIPT_CHARS}`,
    );
  }
  return source;
}

function uuidList(raw: unknown, where: string): string[] {
  if (!Array.isArray(raw)) throw new InvalidInputError(`${where} must be an array of UUIDs`);
  return raw.map((v, i) => {
    const id = canonicalUuid(v);
    if (id === undefined) throw new InvalidInputError(`${where}[${i}] must be a UUID, got ${JSON.stringify(v)}`);
    return id;
  });
}

/** An optional object's entries, at most SPEC_LIMITS.entriesPerSpec of them. */
function entriesOf(raw: unknown, where: string): Array<[string, unknown]> {
  if (raw == null) return [];
  if (!isPlainObject(raw)) throw new InvalidInputError(`${where} must be an object`);
  const entries = Object.entries(raw);
  requireAtMost(entries.length, SPEC_LIMITS.entriesPerSpec, where, "entries");
  return entries;
}

function optionalBoolean(raw: unknown, where: string): boolean {
  if (raw == null) return false;
  if (typeof raw !== "boolean") throw new InvalidInputError(`${where} must be true or false`);
  return raw;
}

function parseJsonObject(json: string, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new InvalidInputError(`${what} is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(raw)) throw new InvalidInputError(`${what} must be a JSON object`);
  return raw;
}
