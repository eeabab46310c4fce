"use client";
/** `/namespaces/<ns>`: the namespace's types and versions with counts, and its newest facts. */
import { Refused } from "@/components/access/Refused";
import { FactList } from "@/components/facts/FactList";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Timestamp } from "@/components/ui/Timestamp";
import { useCatalog } from "@/lib/browser/catalog";
import { isRefused } from "@/lib/browser/errors";
import { useRecentFacts } from "@/lib/browser/facts";
import { factsHref } from "@/lib/view/links";
import { formatCount, plural } from "@/lib/view/numbers";
import { TypeTable } from "./TypeTable";

export function NamespaceView({ ns }: { ns: string }) {
  const catalog = useCatalog(ns);
  const recent = useRecentFacts(ns);
  const summary = catalog.data?.namespaces.find((n) => n.ns === ns);
  const counts = catalog.data?.countsAvailable ?? false;
  // The store refused this namespace to this user: say so, and show nothing of it.
  const refusal = isRefused(catalog.error) ? catalog.error : isRefused(recent.error) ? recent.error : undefined;
  if (refusal) {
    return (
      <div className="space-y-4">
        <PageTitle eyebrow="Namespace" title={ns} />
        <Refused what={<>read namespace “{ns}”</>} error={refusal} back />
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow="Namespace"
        title={ns}
        subtitle={
          summary &&
          (counts ? (
            <>
              {plural(summary.factCount, "fact")} in {plural(summary.types.length, "type")}, last one{" "}
              <Timestamp ms={Number(summary.lastPublishedMs)} />
            </>
          ) : (
            plural(summary.types.length, "type")
          ))
        }
        actions={
          <ButtonLink href={factsHref({ namespaces: [ns] })} variant="primary">
            Browse this namespace
          </ButtonLink>
        }
      />
      {catalog.error && (
        <ErrorNotice error={catalog.error} retry={() => void catalog.refetch()} what="The catalog could not be read" />
      )}
      {catalog.data && !summary && (
        <Notice tone="warn" title={`No facts in namespace "${ns}"`}>
          The store has no fact in this namespace (yet). Namespace names are case-sensitive.
        </Notice>
      )}
      {(catalog.isPending || summary) && (
        <Panel
          title="Types and versions"
          id="types"
          flush
          aside={summary && counts && <span className="tabular">{formatCount(summary.factCount)} facts</span>}
        >
          {summary ? <TypeTable ns={summary} counts={counts} /> : <SkeletonRows rows={4} className="p-4" />}
        </Panel>
      )}
      <Panel
        title="Recent facts"
        id="recent"
        flush
        aside={
          <ButtonLink href={factsHref({ namespaces: [ns] })} size="sm" variant="ghost">
            All facts of {ns} →
          </ButtonLink>
        }
      >
        {recent.error ? (
          <ErrorNotice error={recent.error} retry={() => void recent.refetch()} className="m-4" />
        ) : recent.isPending ? (
          <SkeletonRows rows={6} className="p-4" />
        ) : recent.rows.length === 0 ? (
          <p className="p-4 text-sm text-muted">No facts.</p>
        ) : (
          <FactList rows={recent.rows} testId="recent-facts" />
        )}
      </Panel>
    </div>
  );
}
