// Checks on what a browser (or any API caller) sends, before the store is asked anything. Each
// message names the field and says what to send instead. The URL-level rules in lib/query-params.ts
// are the same; this is the server not trusting its client.
import { Code, type ConnectError } from "@connectrpc/connect";
import { consoleError } from "../upstream/errors";
import type {
  FactFilter,
  FactQuery,
  QueryFactsRequest,
  WatchFactsRequest,
} from "../../../gen/factline/console/v1/console_pb";
import { isIsoDay, isUuid } from "../../query-params";

/** A page is built in memory and sent as one message; 500 rows of 1 KiB previews stays near 0.5 MB. */
export const MAX_LIMIT = 500;
/** The page size when the request leaves `limit` at 0, as the proto documents. */
export const DEFAULT_LIMIT = 100;

function invalid(message: string): ConnectError {
  return consoleError(message, Code.InvalidArgument);
}

/** Validates a QueryFacts request; returns the effective limit. */
export function validateQueryRequest(req: QueryFactsRequest): number {
  if (req.limit < 0 || req.limit > MAX_LIMIT) {
    throw invalid(`limit must be from 1 to ${MAX_LIMIT} (0 means ${DEFAULT_LIMIT}), got ${req.limit}`);
  }
  if (req.cursor < 0n) throw invalid(`cursor must be a serial (0 to start at the beginning), got ${req.cursor}`);
  if (req.query) validateQuery(req.query);
  return req.limit === 0 ? DEFAULT_LIMIT : req.limit;
}

/** Validates a FactQuery (also used by the export, which has no page). */
export function validateQuery(q: FactQuery): void {
  validateFilters(q.filters, "query.filters");
  if (q.fromSerial < 0n || q.toSerial < 0n)
    throw invalid("query.from_serial and query.to_serial must be serials (0 means open)");
  if (q.fromSerial > 0n && q.toSerial > 0n && q.fromSerial > q.toSerial) {
    throw invalid(`query.to_serial (${q.toSerial}) is below query.from_serial (${q.fromSerial}): swap them`);
  }
  for (const [name, day] of [
    ["from_date", q.fromDate],
    ["to_date", q.toDate],
  ] as const) {
    if (day !== "" && !isIsoDay(day))
      throw invalid(`query.${name} "${day}" is not a day: write it as YYYY-MM-DD, e.g. 2025-03-31`);
  }
  if (q.fromDate !== "" && q.toDate !== "" && q.fromDate > q.toDate) {
    throw invalid(`query.to_date (${q.toDate}) is before query.from_date (${q.fromDate}): swap them`);
  }
}

/**
 * Validates a WatchFacts request: its filters, and one start at most (now, from_beginning,
 * after_serial/after_id, from_date — see WatchFactsRequest in the proto).
 */
export function validateWatchRequest(req: WatchFactsRequest): void {
  validateFilters(req.filters, "filters");
  if (req.afterSerial < 0n) {
    throw invalid(
      `after_serial ${req.afterSerial} is negative: send the serial to start after (1 or more), or 0 to leave it unset`,
    );
  }
  if (req.afterId !== "" && !isUuid(req.afterId)) {
    throw invalid(
      `after_id must be a fact id (UUID), got ${JSON.stringify(req.afterId)}: write it like 3f2504e0-4f89-11d3-9a0c-0305e82c3301`,
    );
  }
  if (req.fromDate !== "" && !isIsoDay(req.fromDate)) {
    throw invalid(`from_date "${req.fromDate}" is not a day: write it as YYYY-MM-DD, e.g. 2025-03-31`);
  }
  const starts = [
    req.fromBeginning && "from_beginning",
    (req.afterSerial > 0n || req.afterId !== "") && "after_serial/after_id",
    req.fromDate !== "" && "from_date",
  ].filter((s): s is string => typeof s === "string");
  if (starts.length > 1) {
    throw invalid(`${starts.join(" and ")} are different starts: set one (or none, to watch from now)`);
  }
}

function validateFilters(filters: FactFilter[], field: string): void {
  filters.forEach((f, i) => {
    const at = `${field}[${i}]`;
    f.aggIds.forEach((id, j) => {
      if (!isUuid(id))
        throw invalid(`${at}.agg_ids[${j}] "${id}" is not a UUID: write it like 3f2504e0-4f89-11d3-9a0c-0305e82c3301`);
    });
    for (const key of Object.keys(f.meta)) {
      if (key === "") throw invalid(`${at}.meta has an empty key: give each meta condition a key`);
    }
    for (const key of f.metaPresent) {
      if (f.metaAbsent.includes(key))
        throw invalid(`${at}: meta key "${key}" is both present and absent, so nothing can match: remove one`);
    }
    validateVersion(f, at);
  });
}

/** A filter's version (FactSpec.version) belongs to one type of one namespace. */
function validateVersion(f: FactFilter, at: string): void {
  if (f.version === 0) return;
  if (f.version < 0) throw invalid(`${at}.version ${f.version} is negative: send 1 or more, or 0 for as published`);
  const types = [...new Set(f.types.filter((t) => t !== ""))];
  const ns = f.ns.trim();
  if (types.length !== 1 || ns === "" || ns === "*") {
    throw invalid(
      `${at}.version ${f.version} needs exactly one namespace and one type (a version belongs to one type), ` +
        `got ${ns === "" || ns === "*" ? "every namespace" : `namespace ${ns}`} and ${types.length === 0 ? "every type" : `types ${types.join(", ")}`}`,
    );
  }
}
