"use client";
/**
 * One page of audit entries, newest first, and the keyset paging around it: Older continues below
 * the last entry (before=<id>), Newer above the first (after=<id>), Newest starts again at the top.
 * Account, action and namespace are links that narrow the filter to that value.
 */
import Link from "@/components/ui/Link";
import { ButtonLink } from "@/components/ui/Button";
import { Timestamp } from "@/components/ui/Timestamp";
import type { AuditEntry, ListAuditEntriesResponse } from "@/gen/factline/admin/v1/audit_pb";
import { auditHref, type AuditParams } from "@/lib/audit-params";
import { cx } from "@/lib/view/cx";

const OUTCOME_TONES: Record<string, string> = {
  ok: "bg-ok-soft text-ok",
  denied: "bg-danger-soft text-danger",
  unauthenticated: "bg-danger-soft text-danger",
  rejected: "bg-warn-soft text-warn",
  failed: "bg-warn-soft text-warn",
};

export function AuditTable(props: { params: AuditParams; page: ListAuditEntriesResponse; fetching: boolean }) {
  const { params, page } = props;
  const { entries } = page;
  const first = entries[0]?.id;
  const last = entries.at(-1)?.id;
  const upwards = params.after !== undefined;
  // Older entries exist below this page when the store says so, or when we came up from them.
  const older = last !== undefined && (upwards || page.hasMore);
  // Newer ones exist above it when we came down from them, or the store says so going up.
  const newer = first !== undefined && (params.before !== undefined || (upwards && page.hasMore));
  const atTop = params.before === undefined && params.after === undefined;
  const pageLink = (p: { before?: bigint; after?: bigint }) => auditHref(params.input, { ...p, limit: params.limit });

  const nav = (
    <nav aria-label="Audit pages" className="flex items-center gap-2">
      {!atTop && (
        <ButtonLink size="sm" variant="ghost" href={pageLink({})}>
          ⇤ Newest
        </ButtonLink>
      )}
      {newer && (
        <ButtonLink size="sm" href={pageLink({ after: first })} rel="prev">
          ← Newer
        </ButtonLink>
      )}
      {older && (
        <ButtonLink size="sm" href={pageLink({ before: last })} rel="next">
          Older →
        </ButtonLink>
      )}
    </nav>
  );

  if (entries.length === 0) {
    return (
      <div
        className="rounded-lg border border-line bg-surface p-6 text-center text-sm text-muted"
        data-testid="audit-empty"
      >
        {atTop ? "No audit entry matches these filters." : "No entries on this side of the page you came from."}
        {!atTop && <div className="mt-3 flex justify-center">{nav}</div>}
      </div>
    );
  }
  return (
    <section className="rounded-lg border border-line bg-surface" aria-busy={props.fetching}>
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-line px-3 py-2 text-xs text-muted">
        <span className="tabular" data-testid="audit-range">
          {entries.length} entries · ids {first!.toString()} – {last!.toString()}
        </span>
        {nav}
      </header>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="audit-table">
          <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
            <tr>
              {["Time", "Account", "Action", "Outcome", "Namespace", "Subject", "Reason / detail", "From"].map((h) => (
                <th key={h} scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-line">
            {entries.map((e) => (
              <Row key={e.id.toString()} entry={e} params={params} />
            ))}
          </tbody>
        </table>
      </div>
      <footer className="flex justify-end border-t border-line px-3 py-2">{nav}</footer>
    </section>
  );
}

function Row({ entry: e, params }: { entry: AuditEntry; params: AuditParams }) {
  const narrow = (field: "account" | "action" | "ns", value: string) => (
    <Link
      href={auditHref({ ...params.input, [field]: value }, { limit: params.limit })}
      title={`Only entries with ${field === "ns" ? "namespace" : field} ${value}`}
      className="text-accent hover:underline"
    >
      {value}
    </Link>
  );
  return (
    <tr className="align-top hover:bg-row-hover" data-testid="audit-row" data-id={e.id.toString()}>
      <td className="whitespace-nowrap px-3 py-1.5 text-xs text-muted">
        <Timestamp ms={Number(e.atMs)} />
      </td>
      <td className="px-3 py-1.5 break-all">
        {e.account ? narrow("account", e.account) : <span className="text-subtle">—</span>}
        <span className="ml-1 text-[11px] text-subtle">{e.via}</span>
      </td>
      <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs">{narrow("action", e.action)}</td>
      <td className="px-3 py-1.5">
        <span
          className={cx(
            "rounded px-1.5 py-0.5 text-xs font-medium",
            OUTCOME_TONES[e.outcome] ?? "bg-surface-2 text-muted",
          )}
        >
          {e.outcome}
        </span>
      </td>
      <td className="px-3 py-1.5 break-all">{e.ns ? narrow("ns", e.ns) : <span className="text-subtle">—</span>}</td>
      <td className="px-3 py-1.5 break-words">{e.subject}</td>
      <td className="max-w-md px-3 py-1.5 text-xs break-words whitespace-pre-wrap">
        {e.reason && (
          <span className="block">
            <span className="font-medium text-fg">reason:</span> {e.reason}
          </span>
        )}
        {e.detail && <span className="block text-muted">{e.detail}</span>}
      </td>
      <td className="px-3 py-1.5 text-xs text-muted break-all">
        {e.address}
        {e.forwardedFor && <span className="block">for {e.forwardedFor}</span>}
        {e.client && <span className="block text-subtle">{e.client}</span>}
      </td>
    </tr>
  );
}
