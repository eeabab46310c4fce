// `factline audit`: the store's audit trail, newest first, filtered as the console's /audit page
// filters it (factcast/audit-filter.ts), paged through to the end (or --limit). A table for people,
// NDJSON with --json (the same lines as the console's export, factcast/audit-entry.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import { Command, InvalidArgumentError, Option } from "commander";
import type { AuditEntry } from "../../gen/factline/admin/v1/audit_pb";
import { auditNdjsonLine } from "../../factcast/audit-entry";
import { MAX_AUDIT_PAGE, parseAuditFilter, type AuditFilterInput } from "../../factcast/audit-filter";
import { rejectedError, usageError } from "../errors";
import { formatTable } from "../output";
import type { Runtime } from "../runtime";

/** The one line `audit` prints against a store that keeps no trail (exit 2). */
export const NO_AUDIT_TRAIL =
  "this store has no audit trail (factline admin services are off or it is a plain FactCast server)";

/** --limit beyond this is a typo: no trail a store keeps is read usefully into one terminal at once. */
const MAX_LIMIT = 1_000_000_000;

const EXAMPLES = `
Entries are newest first: schema changes and refused attempts at them, calls refused for who made
them, and console sign-ins and sign-outs, with the account, the outcome and the caller's address.
Filters are exact, or a prefix when they end with * (--action 'schema.*'). --from/--to take a UTC
day (YYYY-MM-DD; --to includes that whole day) or an ISO time with a zone (2025-03-31T14:30:00Z).
Needs an account with the audit permission (a role with "audit": true).

Examples:
  $ factline audit
  $ factline audit --action 'schema.*' --ns shop --limit 20
  $ factline audit --account operator --from 2025-03-01 --to 2025-03-31
  $ factline audit --action console.sign-in --json | jq -r 'select(.outcome != "ok") | .address'`;

interface AuditOptions extends AuditFilterInput {
  limit?: number;
}

function parseLimit(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new InvalidArgumentError(`expected how many entries: a whole number from 1 to ${MAX_LIMIT}.`);
  return n;
}

export function auditCommand(runtime: Runtime): Command {
  return new Command("audit")
    .summary("print the store's audit trail, newest first")
    .description(
      "Print the audit trail's entries, newest first, as a table or as NDJSON (--json); filters as on the console's /audit page.",
    )
    .addOption(new Option("--account <account>", "only this account (a prefix with a trailing *)"))
    .addOption(new Option("--action <action>", "only this action, e.g. schema.replace or 'schema.*'"))
    .addOption(new Option("--ns <namespace>", "only entries about this namespace (a prefix with a trailing *)"))
    .addOption(new Option("--from <time>", "entries at or after this UTC day or ISO time"))
    .addOption(new Option("--to <time>", "entries before this ISO time, or up to the end of this UTC day"))
    .addOption(new Option("--limit <n>", "at most this many entries (the newest); default: all").argParser(parseLimit))
    .addHelpText("after", EXAMPLES)
    .action(async (options: AuditOptions, cmd: Command) => {
      const parsed = parseAuditFilter(options, (field) => `--${field}`);
      if (!parsed.ok) throw usageError(parsed.problems.map((p) => p.message).join("; "));
      const json = runtime.globals(cmd).json;
      const table = new StreamedTable(runtime);
      let printed = 0;
      await runtime.untilInterrupted(async () => {
        const { store } = await runtime.connect(cmd);
        let beforeId = 0n;
        for (;;) {
          const want = options.limit === undefined ? MAX_AUDIT_PAGE : Math.min(MAX_AUDIT_PAGE, options.limit - printed);
          const page = await inAuditTrail(() =>
            store.audit.listAuditEntries({ ...parsed.filter, beforeId, limit: want }, { signal: runtime.signal }),
          );
          if (json) for (const e of page.entries) await runtime.stdout.line(auditNdjsonLine(e).slice(0, -1));
          else await table.rows(page.entries);
          printed += page.entries.length;
          const last = page.entries.at(-1);
          if (!page.hasMore || !last || printed === options.limit) break;
          beforeId = last.id;
        }
      });
      if (printed === 0 && !json) runtime.note("no audit entries match");
    });
}

/** The store's refusals in a terminal's words; anything else goes on to main.ts (exit codes there). */
async function inAuditTrail<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.Unimplemented) throw rejectedError(NO_AUDIT_TRAIL);
    if (err instanceof ConnectError && err.code === Code.InvalidArgument) throw rejectedError(err.rawMessage);
    throw err;
  }
}

const HEADERS = ["ID", "TIME (UTC)", "ACCOUNT", "ACTION", "OUTCOME", "NAMESPACE", "SUBJECT", "ADDRESS", "DETAIL"];

/**
 * A table printed page by page as the pages come: the columns take their widths from the first
 * page (so the first rows appear at once, however long the trail), and later wider cells widen
 * their row only. Nothing is cut: an audit entry is evidence.
 */
class StreamedTable {
  private widths: number[] | undefined;

  constructor(private readonly runtime: Runtime) {}

  async rows(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(cells);
    if (!this.widths) {
      const lines = formatTable(HEADERS, rows, new Set([0]));
      this.widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const line of lines) await this.runtime.stdout.line(line);
      return;
    }
    const widths = this.widths;
    for (const row of rows)
      await this.runtime.stdout.line(
        row
          .map((cell, i) => (i === 0 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
          .join("  ")
          .trimEnd(),
      );
  }
}

function cells(e: AuditEntry): string[] {
  const at = new Date(Number(e.atMs))
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "");
  const detail = [e.reason && `reason: ${e.reason}`, e.detail].filter(Boolean).join("; ");
  return [
    String(e.id),
    at,
    e.account || "-",
    e.action,
    e.outcome,
    e.ns || "-",
    e.subject || "-",
    e.forwardedFor ? `${e.address} for ${e.forwardedFor}` : e.address || "-",
    // One entry, one line: a multi-line reason or detail would break the table's rows apart.
    detail.replace(/\s*[\r\n]+\s*/g, " ⏎ "),
  ].map(visible);
}

/**
 * Callers choose some of this text (the account a failed sign-in claimed, a reason): control
 * characters are shown as escapes, so an entry cannot move the cursor or recolour the terminal.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
