"use client";
/**
 * The audit log's export: every entry the filters match (not only this page), newest first, as
 * NDJSON or CSV, streamed by /api/export/audit with the user's own permission.
 */
import { buttonClass } from "@/components/ui/Button";
import type { AuditFilterInput } from "@/factcast/audit-filter";
import { auditExportHref, describeAuditFilter } from "@/lib/audit-params";

export function AuditExport({ input }: { input: Partial<AuditFilterInput> }) {
  const scope = `every entry matching ${describeAuditFilter(input)}, newest first: the whole filtered log, not just this page`;
  return (
    <div className="flex items-center gap-2" data-testid="audit-export">
      <span className="text-xs text-subtle">Export</span>
      <a
        href={auditExportHref(input, "ndjson")}
        download
        className={buttonClass("secondary", "sm")}
        title={`Downloads ${scope}, one JSON object per line.`}
      >
        ↓ NDJSON
      </a>
      <a
        href={auditExportHref(input, "csv")}
        download
        className={buttonClass("secondary", "sm")}
        title={`Downloads ${scope}, as CSV (for spreadsheets).`}
      >
        ↓ CSV
      </a>
    </div>
  );
}
