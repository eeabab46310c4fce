"use client";
/**
 * Every subscription the store lists, one row each: who (client, account), what it reads (its
 * specs in words), how (mode), where it is (the last fact it got, linked), how far behind (facts
 * and time, with the trend this tab has seen), how fast, and on which instance. Column headers sort
 * (in the URL); account and instance narrow the list to that value.
 */
import Link from "@/components/ui/Link";
import type { ReactNode } from "react";
import { Age } from "@/components/ui/Timestamp";
import { Sparkline } from "@/components/ui/Sparkline";
import type { Instance, ListSubscriptionsResponse, Subscription } from "@/gen/factline/admin/v1/operations_pb";
import { padSamples } from "@/lib/browser/lag-history";
import {
  subscriptionHref,
  subscriptionsHref,
  type SortKey,
  type SubscriptionsParams,
} from "@/lib/subscriptions-params";
import { cx } from "@/lib/view/cx";
import { factHref } from "@/lib/view/links";
import { formatCount, formatRate } from "@/lib/view/numbers";
import { describeSpecs, formatDuration, lagTone, shortId } from "@/lib/view/subscriptions";
import { EndButton } from "./EndSubscription";
import { ModeBadge } from "./ModeBadge";

/** Text sorts A→Z first; numbers and times the biggest, newest, furthest behind first. */
const ASCENDING_FIRST: ReadonlySet<SortKey> = new Set(["client", "account"]);

const LAG_TONES = { none: "text-muted", some: "text-fg", far: "text-danger" } as const;

export function SubscriptionTable(props: {
  params: SubscriptionsParams;
  answer: ListSubscriptionsResponse;
  instances: ReadonlyMap<string, Instance>;
  samples: (id: string) => number[];
  /** Offer ending (the store says the user may operate). */
  operate: boolean;
  onEnd: (s: Subscription) => void;
  fetching: boolean;
}) {
  const { params, answer } = props;
  const sortable = (key: SortKey, label: ReactNode, className?: string) => {
    const active = params.sort === key;
    const dir = active ? (params.dir === "asc" ? "desc" : "asc") : ASCENDING_FIRST.has(key) ? "asc" : "desc";
    return (
      <th
        scope="col"
        aria-sort={active ? (params.dir === "asc" ? "ascending" : "descending") : undefined}
        className={cx("px-3 py-2 font-medium whitespace-nowrap", className)}
      >
        <Link
          href={subscriptionsHref({ ...params, sort: key, dir })}
          className={cx("inline-flex items-center gap-1 hover:text-fg", active && "text-fg")}
          data-testid={`sort-${key}`}
          scroll={false}
        >
          {label}
          <span aria-hidden className={cx("text-[10px]", !active && "invisible")}>
            {params.dir === "asc" ? "▲" : "▼"}
          </span>
        </Link>
      </th>
    );
  };
  const plain = (label: string, className?: string) => (
    <th scope="col" className={cx("px-3 py-2 font-medium whitespace-nowrap", className)}>
      {label}
    </th>
  );

  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-surface" aria-busy={props.fetching}>
      <table className="w-full text-sm" data-testid="subscription-table">
        <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
          <tr>
            {sortable("client", "Client")}
            {sortable("account", "Account")}
            {plain("Reads")}
            {plain("Mode")}
            {sortable("position", "Position", "text-right")}
            {sortable("lag", "Lag", "text-right")}
            {sortable("lagTime", "Waiting", "text-right")}
            {sortable("rate", "Rate", "text-right")}
            {sortable("delivered", "Delivered", "text-right")}
            {sortable("started", "Started")}
            {plain("Instance")}
            {props.operate && <th scope="col" className="px-3 py-2" aria-label="Actions" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {answer.subscriptions.map((s) => (
            <Row
              key={s.id}
              s={s}
              params={params}
              instance={props.instances.get(s.instanceId)}
              samples={props.samples(s.id)}
              operate={props.operate}
              onEnd={() => props.onEnd(s)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row(props: {
  s: Subscription;
  params: SubscriptionsParams;
  instance?: Instance;
  samples: number[];
  operate: boolean;
  onEnd: () => void;
}) {
  const { s, params } = props;
  const specs = describeSpecs(s.specs);
  const tone = lagTone(s.lagFacts, s.lagMs, props.instance?.heartbeatMs);
  const narrow = (filters: Partial<SubscriptionsParams["filters"]>) =>
    subscriptionsHref({ ...params, filters: { ...params.filters, ...filters } });
  return (
    <tr
      className="align-top hover:bg-row-hover"
      data-testid="subscription-row"
      data-id={s.id}
      data-client={s.clientId}
      data-position={s.lastDeliveredSerial.toString()}
      data-lag={s.lagFacts.toString()}
    >
      <td className="px-3 py-2">
        <Link href={subscriptionHref(s.id)} className="font-medium break-all text-accent hover:underline">
          {s.clientId || <span className="italic">no fc-id</span>}
        </Link>
        <span className="block font-mono text-[11px] text-subtle" title={s.id}>
          {shortId(s.id)}
        </span>
      </td>
      <td className="px-3 py-2 break-all">
        <Link
          href={narrow({ account: s.account })}
          className="hover:underline"
          title={`Only ${s.account}'s subscriptions`}
        >
          {s.account}
        </Link>
      </td>
      <td className="max-w-[26rem] px-3 py-2 text-xs" data-testid="subscription-reads">
        {specs.lines.map((line, i) => (
          <span key={i} className="block break-words">
            {line}
          </span>
        ))}
        {specs.more > 0 && <span className="block text-subtle">and {specs.more} more</span>}
      </td>
      <td className="px-3 py-2">
        <ModeBadge mode={s.mode} caughtUp={s.caughtUp} />
      </td>
      <td className="px-3 py-2 text-right">
        {s.lastDeliveredSerial > 0n ? (
          <Link
            href={factHref(s.lastDeliveredSerial)}
            prefetch={false}
            className="tabular font-mono text-accent hover:underline"
            title="The last fact it got"
          >
            {formatCount(s.lastDeliveredSerial)}
          </Link>
        ) : (
          <span className="text-subtle" title="No fact delivered yet">
            —
          </span>
        )}
        {s.position !== s.lastDeliveredSerial && s.position > 0n && (
          <span className="tabular block text-[11px] text-subtle" title="Everything up to here has been examined">
            seen to {formatCount(s.position)}
          </span>
        )}
      </td>
      <td className="px-3 py-2 text-right">
        <span className={cx("tabular font-medium", LAG_TONES[tone])} data-testid="subscription-lag">
          {formatCount(s.lagFacts)}
        </span>
        <div className="mt-1 flex justify-end">
          <Sparkline
            values={padSamples(props.samples)}
            width={60}
            height={16}
            label={`Lag in facts at the last ${props.samples.length} beats, now ${formatCount(s.lagFacts)}`}
          />
        </div>
      </td>
      <td className={cx("tabular px-3 py-2 text-right whitespace-nowrap", LAG_TONES[tone])} title={`${s.lagMs} ms`}>
        {s.lagFacts > 0n ? formatDuration(s.lagMs) : "—"}
      </td>
      <td className="tabular px-3 py-2 text-right whitespace-nowrap">
        {formatRate(s.deliveryRate)}
        <span className="ml-1 text-[11px] text-subtle">/s</span>
      </td>
      <td className="tabular px-3 py-2 text-right">{formatCount(s.factsDelivered)}</td>
      <td className="px-3 py-2 text-xs whitespace-nowrap text-muted">
        <Age ms={Number(s.startedMs)} />
      </td>
      <td className="px-3 py-2 text-xs">
        <Link
          href={narrow({ instance: s.instanceId })}
          className="font-mono break-all hover:underline"
          title={`Only the subscriptions of instance ${s.instanceId}`}
        >
          {props.instance?.grpcAddress || shortId(s.instanceId)}
        </Link>
        {props.instance && <span className="block text-[11px] text-subtle">{props.instance.host}</span>}
      </td>
      {props.operate && (
        <td className="px-3 py-2 text-right">
          <EndButton subscription={s} onClick={props.onEnd} />
        </td>
      )}
    </tr>
  );
}
