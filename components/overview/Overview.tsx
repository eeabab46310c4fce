"use client";
/** The overview: is the store there, what is in it, where did things last happen. */
import { ReadScope } from "@/components/access/ReadScope";
import { SubscriptionsStat } from "@/components/subscriptions/SubscriptionsStat";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Skeleton } from "@/components/ui/Skeleton";
import { useCatalog } from "@/lib/browser/catalog";
import { useStoreStatus } from "@/lib/browser/store-status";
import { formatCount } from "@/lib/view/numbers";
import { NamespaceTable } from "./NamespaceTable";
import { StoreBanner } from "./StoreBanner";
import { StoreIdentity } from "./StoreIdentity";
import { StoreRate } from "./StoreRate";

export function Overview() {
  const status = useStoreStatus();
  const reachable = status.data?.reachable === true;
  const catalog = useCatalog();
  const c = catalog.data;
  // While the store cannot be reached the catalog keeps failing (and retrying): say "—", not "loading".
  const down = status.data !== undefined && !reachable;
  const typeCount = c?.namespaces.reduce((n, ns) => n + ns.types.length, 0) ?? 0;
  const factCount = c?.namespaces.reduce((n, ns) => n + ns.factCount, 0n) ?? 0n;

  return (
    <div className="space-y-4">
      <PageTitle
        title="Overview"
        subtitle="Namespaces, types and activity in this store."
        actions={
          <ButtonLink href="/facts" variant="primary">
            Browse all facts
          </ButtonLink>
        }
      />
      <StoreBanner status={status.data} error={status.error} refetch={() => void status.refetch()} />
      {reachable && <ReadScope />}
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6" data-testid="overview-stats">
        <Stat label="Namespaces" value={down ? "—" : c && formatCount(c.namespaces.length)} />
        <Stat label="Types" value={down ? "—" : c && formatCount(typeCount)} />
        <Stat label="Facts" value={down ? "—" : c && (c.countsAvailable ? formatCount(factCount) : "unknown")} />
        <Stat label="Latest serial" value={status.data && (reachable ? formatCount(status.data.latestSerial) : "—")} />
        <StoreRate down={down} />
        <SubscriptionsStat down={down} />
      </dl>
      {catalog.error && reachable && (
        <ErrorNotice error={catalog.error} retry={() => void catalog.refetch()} what="The catalog could not be read" />
      )}
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <NamespaceTable
          catalog={down ? undefined : c}
          pending={catalog.isPending}
          unavailable={down || (catalog.isError && !c)}
        />
        <StoreIdentity status={status.data} />
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value?: string }) {
  return (
    <div className="rounded-lg border border-line bg-surface px-4 py-3">
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd className="tabular mt-1 text-xl font-semibold text-fg">{value ?? <Skeleton className="mt-1 h-6 w-20" />}</dd>
    </div>
  );
}
