"use client";
/**
 * `/subscriptions`: every subscription of every store instance — who reads what, how far behind —
 * filtered and sorted by the URL (lib/subscriptions-params.ts), refreshed every heartbeat while the
 * tab is visible. Users the store lets operate may end one.
 */
import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { Refused } from "@/components/access/Refused";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { SkeletonRows } from "@/components/ui/Skeleton";
import type { Instance, Subscription } from "@/gen/factline/admin/v1/operations_pb";
import { useAccess } from "@/lib/browser/access";
import { isRefused } from "@/lib/browser/errors";
import { SUBSCRIPTIONS_POLL_MS, useInstances, useLagHistory, useSubscriptions } from "@/lib/browser/operations";
import { isFiltered, parseSubscriptionsSearchParams, type SubscriptionsParams } from "@/lib/subscriptions-params";
import { formatCount } from "@/lib/view/numbers";
import { EndedNotice, EndSubscriptionDialog, type Ended } from "./EndSubscription";
import { SubscriptionFilters } from "./SubscriptionFilters";
import { SubscriptionTable } from "./SubscriptionTable";
import { Unreported } from "./Unreported";

const TITLE = "Subscriptions";

export function SubscriptionsView() {
  const search = useSearchParams().toString();
  const parsed = useMemo(() => parseSubscriptionsSearchParams(search), [search]);
  const instances = useInstances();
  const data = instances.data;
  const list = useMemo(() => (data?.reported ? (data.answer?.instances ?? []) : []), [data]);
  const byId = useMemo(() => new Map(list.map((i) => [i.id, i])), [list]);

  return (
    <div className="space-y-4">
      <PageTitle
        title={TITLE}
        subtitle={`Who reads what from this store, on every instance, and how far behind they are. Refreshes every ${SUBSCRIPTIONS_POLL_MS / 1000} s while this tab is shown.`}
        actions={<ButtonLink href="/instances">Instances</ButtonLink>}
      />
      {/* Keyed by the URL: back/forward resets the form to what the URL says. */}
      <SubscriptionFilters key={search} search={search} instances={list} />
      {parsed.ok ? (
        <Results params={parsed.params} instances={byId} />
      ) : (
        <Notice
          tone="danger"
          title="This URL does not describe a valid subscription list"
          action={
            <ButtonLink href="/subscriptions" size="sm">
              All subscriptions
            </ButtonLink>
          }
        >
          <ul className="list-disc space-y-0.5 pl-5" data-testid="subscriptions-errors">
            {parsed.errors.map((e) => (
              <li key={`${e.param}:${e.message}`}>{e.message}</li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}

function Results({ params, instances }: { params: SubscriptionsParams; instances: ReadonlyMap<string, Instance> }) {
  const query = useSubscriptions(params);
  const access = useAccess();
  const [target, setTarget] = useState<Subscription>();
  const [ended, setEnded] = useState<Ended>();
  const answer = query.data?.reported ? query.data.answer : undefined;
  const samples = useLagHistory(answer?.subscriptions);
  // Hidden unless the store says so: a plain FactCast server (known = false) has nothing to end anyway.
  const operate = access.data?.known === true && access.data.access?.operate === true;

  if (query.error && isRefused(query.error)) return <Refused what="list subscriptions" error={query.error} />;
  if (query.error && !query.data)
    return (
      <ErrorNotice error={query.error} retry={() => void query.refetch()} what="The subscriptions could not be read" />
    );
  if (query.isPending) return <SkeletonRows rows={8} />;
  if (!query.data.reported) return <Unreported what="subscriptions" reason={query.data.unreportedReason} />;
  const a = answer!;
  const shown = a.subscriptions.length;
  return (
    <>
      {ended && <EndedNotice ended={ended} onDismiss={() => setEnded(undefined)} />}
      {query.error && <ErrorNotice error={query.error} what="The list could not be refreshed" className="text-xs" />}
      <p className="text-xs text-muted" data-testid="subscriptions-summary">
        {shown === a.total
          ? `${formatCount(a.total)} ${a.total === 1 ? "subscription" : "subscriptions"}`
          : `The first ${formatCount(shown)} of ${formatCount(a.total)} subscriptions: narrow the filters to see the rest`}
        {isFiltered(params.filters) ? " matching the filters" : ""} · store head serial{" "}
        <span className="tabular">{formatCount(a.headSerial)}</span>
      </p>
      {shown === 0 ? (
        <div
          className="rounded-lg border border-line bg-surface p-6 text-center text-sm text-muted"
          data-testid="subscriptions-empty"
        >
          {isFiltered(params.filters)
            ? "No subscription matches these filters."
            : "Nobody is subscribed right now. Followers, catch-ups and ephemeral subscriptions appear here while they run."}
        </div>
      ) : (
        <SubscriptionTable
          params={params}
          answer={a}
          instances={instances}
          samples={samples}
          operate={operate}
          onEnd={setTarget}
          fetching={query.isFetching}
        />
      )}
      {operate && <EndSubscriptionDialog target={target} onClose={() => setTarget(undefined)} onEnded={setEnded} />}
    </>
  );
}
