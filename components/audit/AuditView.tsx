"use client";
/**
 * `/audit`: the store's audit trail — its changes, the calls it refused, the console's sign-ins
 * and sign-outs — newest first, filtered and keyset-paged by the URL (lib/audit-params.ts), and
 * exportable. Only for accounts the store lets read it; everyone else is told what they lack.
 */
import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { Refused } from "@/components/access/Refused";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { parseAuditSearchParams, describeAuditFilter, type AuditParams } from "@/lib/audit-params";
import { useAccess } from "@/lib/browser/access";
import { useAuditPage } from "@/lib/browser/audit";
import { isRefused } from "@/lib/browser/errors";
import { AuditExport } from "./AuditExport";
import { AuditFilters } from "./AuditFilters";
import { AuditTable } from "./AuditTable";

const TITLE = "Audit log";
const SUBTITLE =
  "What the store changed on whose behalf, what it refused and to whom, and who signed in and out of the console. Append-only.";

export function AuditView() {
  const search = useSearchParams().toString();
  const parsed = useMemo(() => parseAuditSearchParams(search), [search]);
  const access = useAccess();

  if (access.isPending) return <SkeletonRows rows={10} />;
  if (access.error) return <ErrorNotice error={access.error} retry={() => void access.refetch()} />;
  const answer = access.data;
  if (!answer.known) {
    return (
      <div className="space-y-4">
        <PageTitle title={TITLE} />
        <Notice tone="warn" title="This store keeps no audit trail the console can read">
          {answer.unknownReason}
        </Notice>
      </div>
    );
  }
  if (!answer.access?.readAudit) {
    return (
      <div className="space-y-4">
        <PageTitle title={TITLE} />
        <Notice tone="warn" title={<span data-testid="no-audit-permission">You lack the audit permission</span>}>
          Account “{answer.access?.account}” may not read the audit log: that needs a role with{" "}
          <code>&quot;audit&quot;: true</code> in the store&apos;s access file. Ask the store&apos;s operator if you
          need it.
        </Notice>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <PageTitle title={TITLE} subtitle={SUBTITLE} />
      {/* Keyed by the URL: back/forward resets the form to what the URL says. */}
      <AuditFilters key={search} search={search} />
      {parsed.ok ? (
        <AuditResults params={parsed.params} />
      ) : (
        <Notice tone="danger" title="This URL does not describe a valid audit query">
          <ul className="list-disc space-y-0.5 pl-5" data-testid="audit-errors">
            {parsed.errors.map((e) => (
              <li key={`${e.param}:${e.message}`}>{e.message}</li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}

function AuditResults({ params }: { params: AuditParams }) {
  const page = useAuditPage(params, true);
  if (page.error && isRefused(page.error)) return <Refused what="read the audit log" error={page.error} />;
  return (
    <>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-muted" data-testid="audit-scope">
          {describeAuditFilter(params.input)}, newest first
        </p>
        <AuditExport input={params.input} />
      </div>
      {page.error ? (
        <ErrorNotice error={page.error} retry={() => void page.refetch()} what="The audit log could not be read" />
      ) : page.isPending ? (
        <SkeletonRows rows={10} />
      ) : (
        <AuditTable params={params} page={page.data} fetching={page.isFetching} />
      )}
    </>
  );
}
