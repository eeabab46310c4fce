// The registry's answers as text for a terminal: the candidate check before a registration, the
// classified changes between two versions, validation errors located by JSON pointer.
import { formatCount, formatTable } from "../output";
import { describeKey, type SchemaKeyArgs } from "./registry";
import type { ChangeView, CheckView, PayloadErrorView } from "./views";

/**
 * Failing facts shown by the text output: enough to see the pattern on one screen; the store sends
 * up to 20 and --json prints them all.
 */
const MAX_SHOWN_FAILURES = 5;

const mark = (breaking: boolean) => (breaking ? "breaking" : "-");

/** The root of a payload has the empty pointer; "/" reads better and is what the store prints too. */
export const pointer = (p: string) => p || "/";

/** "breaking for readers and writers", "breaking for writers", "not breaking". */
export function breakingSummary(readers: boolean, writers: boolean): string {
  if (readers && writers) return "breaking for readers and writers";
  if (readers) return "breaking for readers";
  if (writers) return "breaking for writers";
  return "not breaking";
}

/** One row per change: where, what kind, whom it breaks, and the store's sentence. */
export function renderChanges(changes: ChangeView[], indent = "  "): string[] {
  const rows = changes.map((c) => [
    pointer(c.path),
    c.kind,
    mark(c.breakingForReaders),
    mark(c.breakingForWriters),
    c.description,
  ]);
  return formatTable(["PATH", "CHANGE", "READERS", "WRITERS", "DESCRIPTION"], rows).map((line) => indent + line);
}

export function renderPayloadError(e: PayloadErrorView): string {
  return `${pointer(e.pointer)} ${e.message}`;
}

/** What registering the candidate would mean, as `schema register` shows it before asking. */
export function renderCheck(key: SchemaKeyArgs, check: CheckView): string[] {
  const lines: string[] = [];
  if (!check.exists) lines.push(`${describeKey(key)}: a new version`);
  else if (check.unchanged) lines.push(`${describeKey(key)}: already registered with this schema`);
  else lines.push(`${describeKey(key)}: already registered with a different schema`);

  if (!check.schemaValid) {
    lines.push(
      `schema: NOT a valid JSON Schema (${check.schemaProblems.length} problem${check.schemaProblems.length === 1 ? "" : "s"})`,
    );
    for (const p of check.schemaProblems) lines.push(`  ${pointer(p.pointer)}: ${p.message}`);
    return lines;
  }
  lines.push("schema: a valid JSON Schema");

  if (check.comparedToVersion === 0) {
    lines.push("changes: none to show (no earlier version is registered)");
  } else if (check.changes.length === 0) {
    lines.push(`changes against version ${check.comparedToVersion}: none`);
  } else {
    const n = check.changes.length;
    lines.push(
      `changes against version ${check.comparedToVersion}: ${n} (${breakingSummary(check.breakingForReaders, check.breakingForWriters)})`,
    );
    lines.push(...renderChanges(check.changes));
  }

  const { dryRun } = check;
  const scope = `stored ${key.ns}/${key.type} facts (all versions)`;
  if (dryRun.checked === 0) {
    lines.push(`dry run: no ${scope} to check`);
  } else {
    const checked = dryRun.incomplete ? `the first ${formatCount(dryRun.checked)}` : formatCount(dryRun.checked);
    lines.push(`dry run: ${formatCount(dryRun.failed)} of ${checked} ${scope} would fail this schema`);
    for (const failure of dryRun.firstFailures.slice(0, MAX_SHOWN_FAILURES)) {
      const [first, ...rest] = failure.errors;
      const head = `  serial ${failure.serial}  ${failure.factId}  `;
      lines.push(head + (first ? renderPayloadError(first) : "(no details)"));
      for (const e of rest) lines.push(" ".repeat(head.length) + renderPayloadError(e));
    }
    const more = dryRun.failed - Math.min(dryRun.failed, MAX_SHOWN_FAILURES);
    const listed =
      dryRun.firstFailures.length > MAX_SHOWN_FAILURES
        ? ` (--json lists the first ${dryRun.firstFailures.length})`
        : "";
    if (more > 0) lines.push(`  … and ${formatCount(more)} more${listed}`);
  }
  return lines;
}
