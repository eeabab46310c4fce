"use client";
/**
 * `/instances`: the store instances sharing the database — version, host, addresses, uptime, last
 * heartbeat, readiness and how many subscriptions each serves. Times are reckoned on the
 * database's clock (the answer's now_ms), so a browser whose clock is off still reads them right.
 */
import Link from "@/components/ui/Link";
import { Refused } from "@/components/access/Refused";
import { Unreported } from "@/components/subscriptions/Unreported";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { PageTitle } from "@/components/ui/PageTitle";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Timestamp } from "@/components/ui/Timestamp";
import type { Instance, ListInstancesResponse } from "@/gen/factline/admin/v1/operations_pb";
import { isRefused } from "@/lib/browser/errors";
import { INSTANCES_POLL_MS, useInstances } from "@/lib/browser/operations";
import { subscriptionsHref } from "@/lib/subscriptions-params";
import { cx } from "@/lib/view/cx";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { formatDuration, shortId } from "@/lib/view/subscriptions";

export function InstancesView() {
  const query = useInstances();
  return (
    <div className="space-y-4">
      <PageTitle
        title="Instances"
        subtitle={`The store processes sharing this database; each records itself every heartbeat, and any of them answers for all. Refreshes every ${INSTANCES_POLL_MS / 1000} s while this tab is shown.`}
        actions={<ButtonLink href="/subscriptions">Subscriptions</ButtonLink>}
      />
      {query.error && isRefused(query.error) ? (
        <Refused what="list the store's instances" error={query.error} />
      ) : query.error && !query.data ? (
        <ErrorNotice error={query.error} retry={() => void query.refetch()} what="The instances could not be read" />
      ) : query.isPending ? (
        <SkeletonRows rows={4} />
      ) : !query.data.reported ? (
        <Unreported what="instances" reason={query.data.unreportedReason} />
      ) : (
        <>
          {query.error && <ErrorNotice error={query.error} what="The list could not be refreshed" />}
          <InstanceTable answer={query.data.answer!} fetching={query.isFetching} />
        </>
      )}
    </div>
  );
}

function InstanceTable({ answer, fetching }: { answer: ListInstancesResponse; fetching: boolean }) {
  const now = Number(answer.nowMs);
  const total = answer.instances.reduce((n, i) => n + i.subscriptions, 0);
  return (
    <>
      <p className="text-xs text-muted" data-testid="instances-summary">
        {answer.instances.length === 1 ? "1 instance" : `${formatCount(answer.instances.length)} instances`} ·{" "}
        {total === 1 ? "1 subscription" : `${formatCount(total)} subscriptions`} you may see · store head serial{" "}
        <span className="tabular">{formatCount(answer.headSerial)}</span>
      </p>
      <div className="overflow-x-auto rounded-lg border border-line bg-surface" aria-busy={fetching}>
        <table className="w-full text-sm" data-testid="instance-table">
          <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
            <tr>
              {[
                "Instance",
                "Version",
                "Host",
                "Addresses",
                "Up for",
                "Last seen",
                "Ready",
                "Tail serial",
                "Subscriptions",
              ].map((h) => (
                <th
                  key={h}
                  scope="col"
                  className={cx(
                    "px-3 py-2 font-medium whitespace-nowrap",
                    (h === "Tail serial" || h === "Subscriptions") && "text-right",
                  )}
                >
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-line">
            {answer.instances.map((i) => (
              <Row key={i.id} i={i} now={now} head={answer.headSerial} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-subtle">
        An instance that misses five heartbeats in a row (killed, cut off from the database) leaves this list; a clean
        stop removes it at once. “Answering” is the instance the console asked.
      </p>
    </>
  );
}

function Row({ i, now, head }: { i: Instance; now: number; head: bigint }) {
  const since = now - Number(i.lastSeenMs);
  // One beat late is normal (the beat and the question cross); two or more is worth a look.
  const late = since > 2 * i.heartbeatMs;
  const behind = head > i.tailSerial ? head - i.tailSerial : 0n;
  return (
    <tr className="align-top hover:bg-row-hover" data-testid="instance-row" data-id={i.id} data-ready={i.ready}>
      <td className="px-3 py-2">
        <span className="font-mono text-xs" title={i.id}>
          {shortId(i.id)}
        </span>
        {i.answering && (
          <span className="ml-2 rounded bg-accent-soft px-1.5 py-0.5 text-[11px] font-medium text-accent-soft-fg">
            answering
          </span>
        )}
      </td>
      <td className="px-3 py-2 font-mono text-xs">{i.version}</td>
      <td className="px-3 py-2 text-xs break-all">
        {i.host}
        <span className="block text-[11px] text-subtle">pid {i.pid}</span>
      </td>
      <td className="px-3 py-2 font-mono text-xs break-all">
        <span className="block" title="gRPC (FactCast clients)">
          {i.grpcAddress}
        </span>
        <span className="block text-subtle" title="metrics and health">
          {i.httpAddress}
        </span>
      </td>
      <td className="tabular px-3 py-2 text-xs whitespace-nowrap">
        {formatDuration(now - Number(i.startedMs))}
        <span className="block text-[11px] text-subtle">
          since <Timestamp ms={Number(i.startedMs)} short />
        </span>
      </td>
      <td className={cx("tabular px-3 py-2 text-xs whitespace-nowrap", late && "text-warn")}>
        {formatDuration(since)} ago
        <span className="block text-[11px] text-subtle">beats every {formatDuration(i.heartbeatMs)}</span>
      </td>
      <td className="px-3 py-2">
        <span
          className={cx(
            "rounded px-1.5 py-0.5 text-xs font-medium",
            i.ready ? "bg-ok-soft text-ok" : "bg-danger-soft text-danger",
          )}
          title={
            i.ready
              ? "At its last beat it reached PostgreSQL and its live tail was reading"
              : "At its last beat it could not serve: its database or live tail was down"
          }
        >
          {i.ready ? "ready" : "not ready"}
        </span>
      </td>
      <td className="tabular px-3 py-2 text-right text-xs">
        {i.tailSerial > 0n ? (
          <Link href={factHref(i.tailSerial)} prefetch={false} className="font-mono text-accent hover:underline">
            {formatCount(i.tailSerial)}
          </Link>
        ) : (
          "—"
        )}
        {behind > 0n && <span className="block text-[11px] text-subtle">{formatCount(behind)} behind the head</span>}
      </td>
      <td className="tabular px-3 py-2 text-right">
        <Link
          href={subscriptionsHref({ filters: { instance: i.id } })}
          className="text-accent hover:underline"
          data-testid="instance-subscriptions"
        >
          {formatCount(i.subscriptions)}
        </Link>
      </td>
    </tr>
  );
}
