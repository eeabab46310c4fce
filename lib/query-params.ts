/**
 * The fact browser's query in the URL: ONE mapping between URL search parameters and the console's
 * `FactQuery`, shared by the /facts and /live pages (browser) and /api/export (server). Pure: no
 * React, no server imports, so both sides agree on every name and rule.
 *
 * Parameters (all optional; repeated ones may appear any number of times):
 *
 * | name       | form                     | meaning                                                   |
 * |------------|--------------------------|-----------------------------------------------------------|
 * | `ns`       | string, repeatable       | namespace; several are OR-ed; `*` means every namespace    |
 * | `type`     | string, repeatable       | fact type; several are OR-ed                              |
 * | `aggId`    | UUID, repeatable         | the fact's aggIds contain ALL of these                    |
 * | `meta`     | `key=value`, repeatable  | header.meta[key] equals value (or contains it, for lists) |
 * | `has`      | key, repeatable          | header.meta has this key                                  |
 * | `lacks`    | key, repeatable          | header.meta lacks this key                                |
 * | `from`     | serial (integer ≥ 1)     | first serial, inclusive                                   |
 * | `to`       | serial (integer ≥ 1)     | last serial, inclusive                                    |
 * | `fromDate` | `YYYY-MM-DD` (UTC day)   | facts published on or after this day                      |
 * | `toDate`   | `YYYY-MM-DD` (UTC day)   | facts published on or before this day                     |
 * | `asVersion`| version (integer ≥ 1)    | show the type's facts as this version (needs one ns, type)|
 * | `order`    | `newest` \| `oldest`     | paging direction; default `newest` (export: always oldest)|
 * | `cursor`   | serial                   | keyset position: continue after this serial in `order`    |
 *
 * Mapping to `FactQuery.filters` (FactCast FactSpecs, OR-ed): one filter per `ns` (or a single
 * filter with ns "" = every namespace when no `ns` is given). The `type` list, `aggId`, `meta`,
 * `has` and `lacks` apply to EVERY one of those filters (AND within each). So
 * `?ns=a&ns=b&type=T&aggId=X` means "(ns a or b) and type T and aggregate X". When no filtering
 * parameter is given at all there are no filters: every fact. Serial and date bounds combine; the
 * narrower one wins (the backend resolves dates with lastSerialBefore / firstSerialAfter).
 * `asVersion` becomes every filter's `version` (FactCast's FactSpec.version): the store delivers the
 * facts transformed into that version of their type. It is not a filter, and a version belongs to
 * one type of one namespace, so it needs exactly one `ns` and one `type`.
 *
 * Empty values (`?ns=`, what a blank form field submits) are ignored rather than rejected.
 */
import { create } from "@bufbuild/protobuf";
import { FactQuerySchema, Order, type FactQuery } from "../gen/factline/console/v1/console_pb";

/** The query as the pages hold it: plain values, easy to bind to form fields. */
export interface FactsQueryParams {
  namespaces: string[];
  types: string[];
  aggIds: string[];
  /** Ordered key/value pairs; a key appears at most once (a FactSpec holds one value per key). */
  meta: [key: string, value: string][];
  metaPresent: string[];
  metaAbsent: string[];
  /** Inclusive serial bounds; undefined = open. */
  fromSerial?: bigint;
  toSerial?: bigint;
  /** Inclusive UTC days `YYYY-MM-DD`; undefined = open. */
  fromDate?: string;
  toDate?: string;
  /** Show the facts as this version of their type (1 or more); undefined = as published. */
  asVersion?: number;
  order: "newest" | "oldest";
  /** Keyset position (exclusive) in `order`; undefined = start at the range's end. */
  cursor?: bigint;
}

/** One thing wrong in the URL, naming the parameter so a page can point at the field. */
export interface ParamError {
  param: string;
  message: string;
}

export type ParseResult = { ok: true; params: FactsQueryParams } | { ok: false; errors: ParamError[] };

/** The parameter names, for pages that build links by hand. */
export const PARAM = {
  ns: "ns",
  type: "type",
  aggId: "aggId",
  meta: "meta",
  has: "has",
  lacks: "lacks",
  from: "from",
  to: "to",
  fromDate: "fromDate",
  toDate: "toDate",
  asVersion: "asVersion",
  order: "order",
  cursor: "cursor",
} as const;

// FactCast's versions are int32 on the wire (FactSpec.version, MSG_UUID_AND_VERSION.ver).
export const MAX_VERSION = 2 ** 31 - 1;
// Serials are int64 on the wire; anything larger cannot be a serial and would overflow there.
const MAX_SERIAL = 2n ** 63n - 1n;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An empty query: every fact, newest first. */
export function emptyFactsQuery(): FactsQueryParams {
  return { namespaces: [], types: [], aggIds: [], meta: [], metaPresent: [], metaAbsent: [], order: "newest" };
}

/** True for a UUID in its canonical 8-4-4-4-12 hex form (any case). */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** True for a real calendar day written `YYYY-MM-DD` (rejects 2024-02-30). */
export function isIsoDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Reads and validates the query from a URL's search parameters; every error names its parameter. */
export function parseFactsSearchParams(search: URLSearchParams | string): ParseResult {
  const sp = typeof search === "string" ? new URLSearchParams(search) : search;
  const errors: ParamError[] = [];
  const all = (name: string) =>
    unique(
      sp
        .getAll(name)
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    );
  const one = (name: string): string | undefined => {
    const values = all(name);
    if (values.length > 1) errors.push({ param: name, message: `${name} is given ${values.length} times: keep one` });
    return values[0];
  };
  const params = emptyFactsQuery();
  params.namespaces = all(PARAM.ns);
  params.types = all(PARAM.type);

  for (const id of all(PARAM.aggId)) {
    if (isUuid(id)) params.aggIds.push(id.toLowerCase());
    else
      errors.push({
        param: PARAM.aggId,
        message: `aggId "${id}" is not a UUID: write it like 3f2504e0-4f89-11d3-9a0c-0305e82c3301`,
      });
  }
  params.aggIds = unique(params.aggIds);

  const metaKeys = new Map<string, string>();
  for (const pair of all(PARAM.meta)) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? "" : pair.slice(0, eq).trim();
    if (eq <= 0 || key === "") {
      errors.push({
        param: PARAM.meta,
        message: `meta "${pair}" needs the form key=value (use has=${pair} to ask only that the key exists)`,
      });
      continue;
    }
    const value = pair.slice(eq + 1);
    const earlier = metaKeys.get(key);
    if (earlier !== undefined && earlier !== value) {
      errors.push({
        param: PARAM.meta,
        message: `meta key "${key}" is given two values ("${earlier}" and "${value}"): keep one`,
      });
      continue;
    }
    if (earlier === undefined) {
      metaKeys.set(key, value);
      params.meta.push([key, value]);
    }
  }
  params.metaPresent = all(PARAM.has);
  params.metaAbsent = all(PARAM.lacks);
  for (const key of params.metaPresent.filter((k) => params.metaAbsent.includes(k))) {
    errors.push({
      param: PARAM.lacks,
      message: `meta key "${key}" is both in has and lacks: no fact can match, remove one`,
    });
  }

  params.fromSerial = serialParam(PARAM.from, one(PARAM.from), errors);
  params.toSerial = serialParam(PARAM.to, one(PARAM.to), errors);
  if (params.fromSerial !== undefined && params.toSerial !== undefined && params.fromSerial > params.toSerial) {
    errors.push({
      param: PARAM.to,
      message: `to (${params.toSerial}) is below from (${params.fromSerial}): swap them`,
    });
  }
  params.fromDate = dayParam(PARAM.fromDate, one(PARAM.fromDate), errors);
  params.toDate = dayParam(PARAM.toDate, one(PARAM.toDate), errors);
  if (params.fromDate && params.toDate && params.fromDate > params.toDate) {
    errors.push({
      param: PARAM.toDate,
      message: `toDate (${params.toDate}) is before fromDate (${params.fromDate}): swap them`,
    });
  }

  params.asVersion = versionParam(PARAM.asVersion, one(PARAM.asVersion), errors);
  if (params.asVersion !== undefined) {
    const oneNs = params.namespaces.length === 1 && params.namespaces[0] !== "*";
    if (!oneNs || params.types.length !== 1) {
      errors.push({
        param: PARAM.asVersion,
        message:
          `asVersion needs exactly one namespace and one type (a version belongs to one type), ` +
          `got ${oneNs ? "one namespace" : params.namespaces.length > 1 ? `${params.namespaces.length} namespaces` : "every namespace"} ` +
          `and ${params.types.length === 0 ? "every type" : params.types.length === 1 ? "one type" : `${params.types.length} types`}: ` +
          "choose one of each, or leave asVersion out to see facts as published",
      });
    }
  }

  const order = one(PARAM.order);
  if (order === "oldest" || order === "newest") params.order = order;
  else if (order !== undefined)
    errors.push({ param: PARAM.order, message: `order "${order}" is unknown: use newest or oldest` });
  params.cursor = serialParam(PARAM.cursor, one(PARAM.cursor), errors);

  return errors.length > 0 ? { ok: false, errors } : { ok: true, params };
}

/**
 * Writes the query as search parameters in a canonical order, omitting defaults, so equal queries
 * give equal URLs (and equal cache keys).
 */
export function toFactsSearchParams(params: FactsQueryParams): URLSearchParams {
  const sp = new URLSearchParams();
  for (const ns of params.namespaces) sp.append(PARAM.ns, ns);
  for (const t of params.types) sp.append(PARAM.type, t);
  for (const id of params.aggIds) sp.append(PARAM.aggId, id);
  for (const [k, v] of params.meta) sp.append(PARAM.meta, `${k}=${v}`);
  for (const k of params.metaPresent) sp.append(PARAM.has, k);
  for (const k of params.metaAbsent) sp.append(PARAM.lacks, k);
  if (params.fromSerial !== undefined) sp.set(PARAM.from, params.fromSerial.toString());
  if (params.toSerial !== undefined) sp.set(PARAM.to, params.toSerial.toString());
  if (params.fromDate) sp.set(PARAM.fromDate, params.fromDate);
  if (params.toDate) sp.set(PARAM.toDate, params.toDate);
  if (params.asVersion !== undefined) sp.set(PARAM.asVersion, String(params.asVersion));
  if (params.order !== "newest") sp.set(PARAM.order, params.order);
  if (params.cursor !== undefined) sp.set(PARAM.cursor, params.cursor.toString());
  return sp;
}

/** The console API's `FactQuery` for these parameters (see the module comment for the mapping). */
export function toFactQuery(params: FactsQueryParams): FactQuery {
  const filtering =
    params.namespaces.length +
      params.types.length +
      params.aggIds.length +
      params.meta.length +
      params.metaPresent.length +
      params.metaAbsent.length >
    0;
  const namespaces = params.namespaces.length > 0 ? params.namespaces : [""];
  return create(FactQuerySchema, {
    filters: filtering
      ? namespaces.map((ns) => ({
          ns,
          types: [...params.types],
          aggIds: [...params.aggIds],
          meta: Object.fromEntries(params.meta),
          metaPresent: [...params.metaPresent],
          metaAbsent: [...params.metaAbsent],
          version: params.asVersion ?? 0,
        }))
      : [],
    fromSerial: params.fromSerial ?? 0n,
    toSerial: params.toSerial ?? 0n,
    fromDate: params.fromDate ?? "",
    toDate: params.toDate ?? "",
  });
}

/** The console API's `Order` for the `order` parameter. */
export function toOrder(order: FactsQueryParams["order"]): Order {
  return order === "oldest" ? Order.OLDEST_FIRST : Order.NEWEST_FIRST;
}

/** A short human statement of what the query covers, e.g. for the export button and file. */
export function describeFactsQuery(params: FactsQueryParams): string {
  const parts: string[] = [];
  parts.push(params.namespaces.length > 0 ? `namespace ${params.namespaces.join(" or ")}` : "all namespaces");
  if (params.types.length > 0) parts.push(`type ${params.types.join(" or ")}`);
  if (params.aggIds.length > 0) parts.push(`aggregate ${params.aggIds.join(" and ")}`);
  for (const [k, v] of params.meta) parts.push(`meta ${k}=${v}`);
  for (const k of params.metaPresent) parts.push(`with meta ${k}`);
  for (const k of params.metaAbsent) parts.push(`without meta ${k}`);
  if (params.fromSerial !== undefined || params.toSerial !== undefined) {
    parts.push(`serials ${params.fromSerial ?? "first"}–${params.toSerial ?? "latest"}`);
  }
  if (params.fromDate || params.toDate)
    parts.push(`days ${params.fromDate ?? "start"}–${params.toDate ?? "today"} (UTC)`);
  if (params.asVersion !== undefined) parts.push(`as version ${params.asVersion}`);
  return parts.join(", ");
}

/** A file-name-safe scope for exports: `users.UserCreated`, `users+orders`, or `all`. */
export function exportScope(params: FactsQueryParams): string {
  const ns = params.namespaces.length > 0 ? params.namespaces.join("+") : "all";
  const scope = params.types.length > 0 ? `${ns}.${params.types.join("+")}` : ns;
  // Header values and file systems disagree on many characters; keep a portable subset, bounded.
  return scope.replace(/[^A-Za-z0-9._+-]+/g, "_").slice(0, 80) || "all";
}

function serialParam(name: string, raw: string | undefined, errors: ParamError[]): bigint | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) {
    errors.push({ param: name, message: `${name} "${raw}" is not a serial: use a whole number like 1042` });
    return undefined;
  }
  const serial = BigInt(raw);
  if (serial < 1n || serial > MAX_SERIAL) {
    errors.push({ param: name, message: `${name} ${raw} is out of range: serials start at 1 and fit in 63 bits` });
    return undefined;
  }
  return serial;
}

function versionParam(name: string, raw: string | undefined, errors: ParamError[]): number | undefined {
  const parsed = parseVersion(name, raw);
  if ("error" in parsed) errors.push({ param: name, message: parsed.error });
  return "version" in parsed ? parsed.version : undefined;
}

/**
 * A version in a URL parameter (`asVersion` on /facts, /live and a fact's page): a whole number from
 * 1 to MAX_VERSION; undefined (absent or blank) means as published. The error says what to write.
 */
export function parseVersion(
  name: string,
  raw: string | null | undefined,
): { version: number } | { error: string } | Record<string, never> {
  const text = raw?.trim() ?? "";
  if (text === "") return {};
  if (/^-\d+$/.test(text)) return { error: `${name} ${text} is negative: versions start at 1` };
  if (!/^\d+$/.test(text)) return { error: `${name} "${text}" is not a version: use a whole number like 2` };
  const version = Number(text);
  if (version === 0) {
    return { error: `${name} 0 is not a version: versions start at 1 (leave ${name} out to see facts as published)` };
  }
  if (version > MAX_VERSION) return { error: `${name} ${text} is out of range: versions go up to ${MAX_VERSION}` };
  return { version };
}

function dayParam(name: string, raw: string | undefined, errors: ParamError[]): string | undefined {
  if (raw === undefined) return undefined;
  if (!isIsoDay(raw)) {
    errors.push({ param: name, message: `${name} "${raw}" is not a day: write it as YYYY-MM-DD, e.g. 2025-03-31` });
    return undefined;
  }
  return raw;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
