/**
 * The live view's subscription in the URL: the fact browser's filter parameters (lib/query-params.ts:
 * `ns`, `type`, `aggId`, `meta`, `has`, `lacks`, `asVersion`, same names and rules) plus where the
 * watch starts.
 * Pure, like query-params.ts, so the page, the form and the tests agree on every rule.
 *
 * | URL                     | start                                                        |
 * |-------------------------|--------------------------------------------------------------|
 * | (neither)               | now: only facts published from here on (`/live` alone)       |
 * | `from=beginning`        | the first fact in the store, then live                       |
 * | `from=<serial>`         | that serial, inclusive — `from` means what it means in /facts |
 * | `fromDate=<YYYY-MM-DD>` | the first fact published on that UTC day, then live          |
 *
 * A stream has no end and no pages, so the fact browser's `to`, `toDate`, `order` and `cursor`
 * are rejected here with a message saying so, rather than silently ignored.
 */
import type { WatchFactsRequest } from "../gen/factline/console/v1/console_pb";
import { PARAM, parseFactsSearchParams, type FactsQueryParams, type ParamError } from "./query-params";

/** The `from` value that starts at the first fact in the store. */
export const FROM_BEGINNING = "beginning";

export type LiveStart =
  { kind: "now" } | { kind: "beginning" } | { kind: "serial"; fromSerial: bigint } | { kind: "date"; fromDate: string };

export interface LiveParams {
  /** Filters only: the range and paging fields are always unset. */
  query: FactsQueryParams;
  start: LiveStart;
}

export type LiveParseResult = { ok: true; params: LiveParams } | { ok: false; errors: ParamError[] };

const NOT_FOR_LIVE: Record<string, string> = {
  [PARAM.to]: "a live watch has no last serial",
  [PARAM.toDate]: "a live watch has no last day",
  [PARAM.order]: "a live list is always newest first",
  [PARAM.cursor]: "a live list has no pages",
};

/** Reads and validates a /live URL; every error names its parameter and says what to change. */
export function parseLiveSearchParams(search: URLSearchParams | string): LiveParseResult {
  const sp = new URLSearchParams(search);
  const errors: ParamError[] = [];
  for (const [name, why] of Object.entries(NOT_FOR_LIVE)) {
    if (sp.getAll(name).some((v) => v.trim() !== ""))
      errors.push({
        param: name,
        message: `${name} does not apply here: ${why}; remove it (the fact browser, /facts, takes it)`,
      });
    sp.delete(name);
  }

  const froms = [
    ...new Set(
      sp
        .getAll(PARAM.from)
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  let beginning = false;
  if (froms.length > 1) errors.push({ param: PARAM.from, message: `from is given ${froms.length} times: keep one` });
  else if (froms[0]?.toLowerCase() === FROM_BEGINNING) beginning = true;
  else if (froms[0] !== undefined && !/^\d+$/.test(froms[0])) {
    errors.push({
      param: PARAM.from,
      message: `from "${froms[0]}" is not a start: use a serial (1 or more, like 1042) or ${FROM_BEGINNING}`,
    });
  }
  if (beginning || froms.length !== 1 || !/^\d+$/.test(froms[0])) sp.delete(PARAM.from);

  const parsed = parseFactsSearchParams(sp);
  if (!parsed.ok) errors.push(...parsed.errors);
  const hasDate = sp.getAll(PARAM.fromDate).some((v) => v.trim() !== "");
  if ((beginning || sp.has(PARAM.from)) && hasDate) {
    errors.push({
      param: PARAM.fromDate,
      message: "from and fromDate are two different starts: keep one (or neither, to watch from now)",
    });
  }
  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };

  const q = parsed.params;
  const start: LiveStart = beginning
    ? { kind: "beginning" }
    : q.fromSerial !== undefined
      ? { kind: "serial", fromSerial: q.fromSerial }
      : q.fromDate
        ? { kind: "date", fromDate: q.fromDate }
        : { kind: "now" };
  return { ok: true, params: { query: { ...q, fromSerial: undefined, fromDate: undefined }, start } };
}

/** The canonical /live search parameters (filters in query-params.ts order, then the start). */
export function toLiveSearchParams(params: LiveParams): URLSearchParams {
  const q = params.query;
  const sp = new URLSearchParams();
  for (const ns of q.namespaces) sp.append(PARAM.ns, ns);
  for (const t of q.types) sp.append(PARAM.type, t);
  for (const id of q.aggIds) sp.append(PARAM.aggId, id);
  for (const [k, v] of q.meta) sp.append(PARAM.meta, `${k}=${v}`);
  for (const k of q.metaPresent) sp.append(PARAM.has, k);
  for (const k of q.metaAbsent) sp.append(PARAM.lacks, k);
  if (q.asVersion !== undefined) sp.set(PARAM.asVersion, String(q.asVersion));
  const s = params.start;
  if (s.kind === "beginning") sp.set(PARAM.from, FROM_BEGINNING);
  if (s.kind === "serial") sp.set(PARAM.from, s.fromSerial.toString());
  if (s.kind === "date") sp.set(PARAM.fromDate, s.fromDate);
  return sp;
}

/** The /live URL for a subscription. */
export function liveHref(params: LiveParams): string {
  const qs = toLiveSearchParams(params).toString();
  return qs ? `/live?${qs}` : "/live";
}

/** WatchFacts' start fields for a start (the URL's `from` is inclusive, the wire's after_serial is not). */
export function watchStartFields(
  start: LiveStart,
): Partial<Pick<WatchFactsRequest, "afterSerial" | "fromDate" | "fromBeginning">> {
  if (start.kind === "beginning") return { fromBeginning: true };
  if (start.kind === "serial")
    return start.fromSerial > 1n ? { afterSerial: start.fromSerial - 1n } : { fromBeginning: true };
  if (start.kind === "date") return { fromDate: start.fromDate };
  return {};
}

/** The start in words, for the page's subtitle. */
export function describeLiveStart(start: LiveStart): string {
  if (start.kind === "beginning") return "from the first fact in the store";
  if (start.kind === "serial") return `from serial ${start.fromSerial.toLocaleString("en")}`;
  if (start.kind === "date") return `from ${start.fromDate} (UTC)`;
  return "from now";
}
