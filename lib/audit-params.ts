/**
 * The /audit page's position in the URL: its filters and its keyset page, shared by the page
 * (browser) and the audit export (/api/export/audit, server). The filters' rules are the CLI's too
 * (factcast/audit-filter.ts).
 *
 * | name      | form                                   | meaning                                          |
 * |-----------|----------------------------------------|--------------------------------------------------|
 * | `account` | string, `prefix*`                      | the account that acted (or claimed to)           |
 * | `action`  | string, `prefix*`                      | e.g. `schema.replace`, `schema.*`, `console.*`   |
 * | `ns`      | string, `prefix*`                      | the namespace an entry concerns                  |
 * | `from`    | `YYYY-MM-DD` (UTC day) or ISO instant  | entries at or after                              |
 * | `to`      | `YYYY-MM-DD` (whole day) or ISO instant| entries before (a day: up to its end)            |
 * | `before`  | entry id                               | the page of entries older than this one          |
 * | `after`   | entry id                               | the page of entries newer than this one          |
 * | `limit`   | 1 to 1000                              | entries per page (default 50)                    |
 * | `format`  | `ndjson` \| `csv`                      | the export's format (export only)                |
 */
import { MAX_AUDIT_PAGE, parseAuditFilter, type AuditFilter, type AuditFilterInput } from "../factcast/audit-filter";
import type { ParamError } from "./query-params";

export const AUDIT_PARAM = {
  account: "account",
  action: "action",
  ns: "ns",
  from: "from",
  to: "to",
  before: "before",
  after: "after",
  limit: "limit",
  format: "format",
} as const;

/** A screenful: enough to scan, small enough to render at once. */
export const AUDIT_PAGE_SIZE = 50;

export type AuditExportFormat = "ndjson" | "csv";

export interface AuditParams {
  /** As written (trimmed), for the form and for links. */
  input: Required<AuditFilterInput>;
  filter: AuditFilter;
  before?: bigint;
  after?: bigint;
  limit: number;
  format: AuditExportFormat;
}

export type AuditParseResult = { ok: true; params: AuditParams } | { ok: false; errors: ParamError[] };

// Entry ids are int64 on the wire.
const MAX_ID = 2n ** 63n - 1n;

/** Reads and checks the URL's parameters; every error names its parameter. */
export function parseAuditSearchParams(search: URLSearchParams | string): AuditParseResult {
  const sp = typeof search === "string" ? new URLSearchParams(search) : search;
  const errors: ParamError[] = [];
  const one = (name: string): string => {
    const values = sp
      .getAll(name)
      .map((v) => v.trim())
      .filter((v) => v !== "");
    if (values.length > 1) errors.push({ param: name, message: `${name} is given ${values.length} times: keep one` });
    return values[0] ?? "";
  };
  const input = {
    account: one(AUDIT_PARAM.account),
    action: one(AUDIT_PARAM.action),
    ns: one(AUDIT_PARAM.ns),
    from: one(AUDIT_PARAM.from),
    to: one(AUDIT_PARAM.to),
  };
  const parsed = parseAuditFilter(input);
  if (!parsed.ok) for (const p of parsed.problems) errors.push({ param: p.field, message: p.message });

  const before = idParam(AUDIT_PARAM.before, one(AUDIT_PARAM.before), errors);
  const after = idParam(AUDIT_PARAM.after, one(AUDIT_PARAM.after), errors);
  if (before !== undefined && after !== undefined)
    errors.push({ param: AUDIT_PARAM.after, message: "before and after are both given: keep one (older or newer)" });

  let limit = AUDIT_PAGE_SIZE;
  const rawLimit = one(AUDIT_PARAM.limit);
  if (rawLimit !== "") {
    const n = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(n >= 1 && n <= MAX_AUDIT_PAGE))
      errors.push({
        param: AUDIT_PARAM.limit,
        message: `limit "${rawLimit}" is out of range: a page holds 1 to ${MAX_AUDIT_PAGE} entries`,
      });
    else limit = n;
  }

  const rawFormat = one(AUDIT_PARAM.format) || "ndjson";
  if (rawFormat !== "ndjson" && rawFormat !== "csv")
    errors.push({ param: AUDIT_PARAM.format, message: `format "${rawFormat}" is unknown: use ndjson or csv` });

  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };
  return {
    ok: true,
    params: { input, filter: parsed.filter, before, after, limit, format: rawFormat as AuditExportFormat },
  };
}

/** The URL for a filter and page, canonical (defaults left out), so equal views give equal URLs. */
export function toAuditSearchParams(
  input: Partial<AuditFilterInput>,
  page: { before?: bigint; after?: bigint; limit?: number; format?: AuditExportFormat } = {},
): URLSearchParams {
  const sp = new URLSearchParams();
  for (const name of ["account", "action", "ns", "from", "to"] as const) {
    const value = input[name]?.trim();
    if (value) sp.set(name, value);
  }
  if (page.before !== undefined) sp.set(AUDIT_PARAM.before, page.before.toString());
  if (page.after !== undefined) sp.set(AUDIT_PARAM.after, page.after.toString());
  if (page.limit !== undefined && page.limit !== AUDIT_PAGE_SIZE) sp.set(AUDIT_PARAM.limit, String(page.limit));
  if (page.format && page.format !== "ndjson") sp.set(AUDIT_PARAM.format, page.format);
  return sp;
}

export function auditHref(
  input: Partial<AuditFilterInput>,
  page: { before?: bigint; after?: bigint; limit?: number } = {},
): string {
  const qs = toAuditSearchParams(input, page).toString();
  return qs ? `/audit?${qs}` : "/audit";
}

/** The export of everything the filter matches (no page position: an export is the whole log). */
export function auditExportHref(input: Partial<AuditFilterInput>, format: AuditExportFormat): string {
  const qs = toAuditSearchParams(input, { format }).toString();
  return qs ? `/api/export/audit?${qs}` : "/api/export/audit";
}

/** "account operator, action schema.*, since 2025-03-01", for titles and file names. */
export function describeAuditFilter(input: Partial<AuditFilterInput>): string {
  const parts: string[] = [];
  if (input.account) parts.push(`account ${input.account}`);
  if (input.action) parts.push(`action ${input.action}`);
  if (input.ns) parts.push(`namespace ${input.ns}`);
  if (input.from && input.to) parts.push(`from ${input.from} to ${input.to}`);
  else if (input.from) parts.push(`since ${input.from}`);
  else if (input.to) parts.push(`until ${input.to}`);
  return parts.length > 0 ? parts.join(", ") : "every entry";
}

function idParam(name: string, raw: string, errors: ParamError[]): bigint | undefined {
  if (raw === "") return undefined;
  if (!/^\d{1,19}$/.test(raw)) {
    errors.push({ param: name, message: `${name} "${raw}" is not an entry id: use a whole number like 1042` });
    return undefined;
  }
  const id = BigInt(raw);
  if (id < 1n || id > MAX_ID) {
    errors.push({ param: name, message: `${name} ${raw} is out of range: entry ids start at 1 and fit in 63 bits` });
    return undefined;
  }
  return id;
}
