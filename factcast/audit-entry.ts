// An audit entry as files and terminals show it: one JSON object per line (NDJSON) or one CSV row.
// Shared by the console's audit export and `factline audit`, so a file from either reads the same.
import type { AuditEntry } from "../gen/factline/admin/v1/audit_pb";

/** The JSON form: every field of the entry, times as ISO text besides epoch ms. */
export interface AuditEntryJson {
  id: number;
  at: string;
  atMs: number;
  account: string;
  via: string;
  action: string;
  outcome: string;
  ns: string;
  subject: string;
  reason: string;
  detail: string;
  address: string;
  forwardedFor: string;
  client: string;
}

export function auditEntryJson(e: AuditEntry): AuditEntryJson {
  const atMs = Number(e.atMs);
  return {
    // Entry ids come from a PostgreSQL sequence: far below 2^53 for any trail that fits a disk.
    id: Number(e.id),
    at: new Date(atMs).toISOString(),
    atMs,
    account: e.account,
    via: e.via,
    action: e.action,
    outcome: e.outcome,
    ns: e.ns,
    subject: e.subject,
    reason: e.reason,
    detail: e.detail,
    address: e.address,
    forwardedFor: e.forwardedFor,
    client: e.client,
  };
}

/**
 * One NDJSON line, newline included. JSON.stringify leaves DEL and the C1 controls (U+007F–U+009F,
 * among them a terminal's one-byte CSI) unescaped; they are escaped here, so a line printed to a
 * terminal cannot steer it with text a caller chose.
 */
export function auditNdjsonLine(e: AuditEntry): string {
  const json = JSON.stringify(auditEntryJson(e)).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${json}\n`;
}

const CSV_COLUMNS: (keyof AuditEntryJson)[] = [
  "id",
  "at",
  "account",
  "via",
  "action",
  "outcome",
  "ns",
  "subject",
  "reason",
  "detail",
  "address",
  "forwardedFor",
  "client",
];

/** The CSV header line (RFC 4180, CRLF). */
export const AUDIT_CSV_HEADER = `${CSV_COLUMNS.join(",")}\r\n`;

/** One CSV row (RFC 4180, CRLF). */
export function auditCsvRow(e: AuditEntry): string {
  const json = auditEntryJson(e);
  return `${CSV_COLUMNS.map((c) => csvField(String(json[c]))).join(",")}\r\n`;
}

/**
 * A field quoted when it must be, and defused when a spreadsheet would run it as a formula: an
 * audit entry holds text that callers choose (the account a failed sign-in claimed, a reason), and
 * "=HYPERLINK(…)" in a cell must stay text (OWASP "CSV injection": prefix a single quote).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
