// The audit trail's filters as people write them — account, action and namespace (exact, or a
// prefix ending in "*"), a time range of days or ISO instants — checked and turned into factline's
// ListAuditEntries request. One place for the console's /audit URL (lib/audit-params.ts) and
// `factline audit` (cli/commands/audit.ts), so both accept and refuse exactly the same input.

/** What a user types, each optional; `from`/`to` as `YYYY-MM-DD` (a UTC day) or an ISO instant with a zone. */
export interface AuditFilterInput {
  account?: string;
  action?: string;
  ns?: string;
  from?: string;
  to?: string;
}

export type AuditFilterField = keyof AuditFilterInput;

/** The request fields (factline.admin.v1.ListAuditEntriesRequest) the filter sets. */
export interface AuditFilter {
  account: string;
  action: string;
  ns: string;
  /** Epoch ms, inclusive; 0n = open. */
  fromMs: bigint;
  /** Epoch ms, exclusive; 0n = open. */
  toMs: bigint;
}

export interface AuditFilterProblem {
  field: AuditFilterField;
  message: string;
}

export type AuditFilterResult = { ok: true; filter: AuditFilter } | { ok: false; problems: AuditFilterProblem[] };

/** Account ids, action names and namespaces are short; anything longer is a paste gone wrong. */
export const MAX_FILTER_CHARS = 200;

/** Page sizes the store serves (store/protocol/audit-service.ts). */
export const MAX_AUDIT_PAGE = 1_000;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;
const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i;
/** Dates past this year are typos, and the database's timestamps end well before JavaScript's. */
const MAX_YEAR = 9999;

/**
 * Checks the input; `label` names each field as the user wrote it (`--from` in the CLI, `from` in a
 * URL) so every message points at what to fix.
 */
export function parseAuditFilter(
  input: AuditFilterInput,
  label: (field: AuditFilterField) => string = (f) => f,
): AuditFilterResult {
  const problems: AuditFilterProblem[] = [];
  const text = (field: "account" | "action" | "ns"): string => {
    const value = (input[field] ?? "").trim();
    if (value === "") return "";
    const problem = textProblem(value);
    if (problem) {
      problems.push({ field, message: `${label(field)} ${problem}` });
      return "";
    }
    return value;
  };
  const filter: AuditFilter = {
    account: text("account"),
    action: text("action"),
    ns: text("ns"),
    fromMs: 0n,
    toMs: 0n,
  };
  for (const field of ["from", "to"] as const) {
    const raw = (input[field] ?? "").trim();
    if (raw === "") continue;
    const ms = timeBound(raw, field);
    if (typeof ms === "string") problems.push({ field, message: `${label(field)} "${raw}" ${ms}` });
    else if (field === "from") filter.fromMs = BigInt(ms);
    else filter.toMs = BigInt(ms);
  }
  if (filter.fromMs > 0n && filter.toMs > 0n && filter.toMs <= filter.fromMs) {
    problems.push({
      field: "to",
      message: `${label("to")} (${input.to?.trim()}) is not after ${label("from")} (${input.from?.trim()}): swap them`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filter };
}

function textProblem(value: string): string | undefined {
  if (value.length > MAX_FILTER_CHARS) return `is ${value.length} characters long; at most ${MAX_FILTER_CHARS}`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return "contains control characters";
  const star = value.indexOf("*");
  if (star >= 0 && star !== value.length - 1)
    return `"${value}" has a * before its end: a * only ends a prefix (e.g. schema.*)`;
  return undefined;
}

/**
 * Epoch ms of a bound, or why it is not one. A day is a UTC day: as `from` its first millisecond,
 * as `to` the first millisecond of the next day, so `to` a day includes that whole day.
 */
export function timeBound(raw: string, bound: "from" | "to"): number | string {
  const day = DAY.exec(raw);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!realDay(y, m, d)) return "is not a calendar day: write YYYY-MM-DD, e.g. 2025-03-31";
    if (y < 1970 || y > MAX_YEAR) return `is outside the years 1970 to ${MAX_YEAR}`;
    return Date.UTC(y, m - 1, d + (bound === "to" ? 1 : 0));
  }
  const t = INSTANT.exec(raw);
  if (t) {
    const [y, m, d, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i] ?? 0));
    if (!realDay(y, m, d) || hh > 23 || mm > 59 || ss > 59)
      return "is not a real time: write e.g. 2025-03-31T14:30:00Z";
    const ms = Date.parse(raw.toUpperCase());
    if (Number.isNaN(ms) || ms < 0 || y > MAX_YEAR) return `is outside the years 1970 to ${MAX_YEAR}`;
    return ms;
  }
  if (ZONELESS.test(raw))
    return "has no time zone: add Z for UTC or an offset, e.g. 2025-03-31T14:30:00Z or 2025-03-31T16:30:00+02:00";
  return "is neither a day (YYYY-MM-DD, UTC) nor an ISO time with a zone (e.g. 2025-03-31T14:30:00Z)";
}

function realDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
