"use client";
/**
 * `/subscriptions/<id>`: one subscription while it runs — its specs in full, its instance and
 * client, its position (linked to the fact), lag and rate with the trend this tab has seen — and,
 * for users the store lets operate, ending it. Once its stream ends the store lists it no more, and
 * the page says it has ended.
 */
import Link from "@/components/ui/Link";
import { useState, type ReactNode } from "react";
import { Refused } from "@/components/access/Refused";
import { ButtonLink } from "@/components/ui/Button";
import { CopyButton } from "@/components/ui/CopyButton";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Sparkline } from "@/components/ui/Sparkline";
import { Age, Timestamp } from "@/components/ui/Timestamp";
import type { Subscription } from "@/gen/factline/admin/v1/operations_pb";
import { canonicalUuid } from "@/factcast/uuid";
import { useAccess } from "@/lib/browser/access";
import { isRefused } from "@/lib/browser/errors";
import { padSamples } from "@/lib/browser/lag-history";
import { useInstances, useLagHistory, useSubscription } from "@/lib/browser/operations";
import { subscriptionsHref } from "@/lib/subscriptions-params";
import { cx } from "@/lib/view/cx";
import { factHref } from "@/lib/view/links";
import { formatCount, formatRate } from "@/lib/view/numbers";
import { formatDuration, lagTone, MODE_HINTS, MODE_LABELS, shortId } from "@/lib/view/subscriptions";
import { EndButton, EndedNotice, EndSubscriptionDialog, type Ended } from "./EndSubscription";
import { ModeBadge } from "./ModeBadge";
import { SpecDetails } from "./SpecDetails";
import { Unreported } from "./Unreported";

export function SubscriptionDetail({ id: raw }: { id: string }) {
  const id = canonicalUuid(raw);
  if (!id) {
    return (
      <div className="space-y-4">
        <PageTitle eyebrow="Subscription" title={raw.slice(0, 80)} />
        <Notice
          tone="danger"
          title={<span data-testid="subscription-bad-id">This is not a subscription id</span>}
          action={<BackToList />}
        >
          “{raw.slice(0, 80)}” is not a UUID. Subscription ids are UUIDs, as /subscriptions lists them.
        </Notice>
      </div>
    );
  }
  return <Detail id={id} />;
}

function BackToList() {
  return (
    <ButtonLink href="/subscriptions" size="sm">
      All subscriptions
    </ButtonLink>
  );
}

function Detail({ id }: { id: string }) {
  const query = useSubscription(id);
  const access = useAccess();
  const [ending, setEnding] = useState(false);
  const [ended, setEnded] = useState<Ended>();
  const answer = query.data?.reported ? query.data.answer : undefined;
  const s = answer?.subscriptions[0];
  // Seen running on this page, then gone: it ended (rather than never having existed).
  const [seen, setSeen] = useState<Subscription>();
  if (s && s !== seen) setSeen(s);
  const samples = useLagHistory(answer?.subscriptions);
  const operate = access.data?.known === true && access.data.access?.operate === true;

  const title = (s ?? seen)?.clientId || shortId(id);
  const head = (
    <PageTitle
      eyebrow="Subscription"
      title={title}
      subtitle={
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-xs break-all" data-testid="subscription-id">
            {id}
          </span>
          <CopyButton text={id} size="sm" variant="ghost" title="Copy the subscription id" />
        </span>
      }
      actions={
        <>
          {s && operate && <EndButton subscription={s} onClick={() => setEnding(true)} size="md" />}
          <BackToList />
        </>
      }
    />
  );

  if (query.error && isRefused(query.error))
    return (
      <div className="space-y-4">
        {head}
        <Refused what="see this subscription" error={query.error} />
      </div>
    );
  if (query.error && !query.data)
    return (
      <div className="space-y-4">
        {head}
        <ErrorNotice error={query.error} retry={() => void query.refetch()} what="The subscription could not be read" />
      </div>
    );
  if (query.isPending)
    return (
      <div className="space-y-4">
        {head}
        <SkeletonRows rows={10} />
      </div>
    );
  if (!query.data.reported)
    return (
      <div className="space-y-4">
        {head}
        <Unreported what="subscriptions" reason={query.data.unreportedReason} />
      </div>
    );

  return (
    <div className="space-y-4">
      {head}
      {ended && <EndedNotice ended={ended} onDismiss={() => setEnded(undefined)} />}
      {!s ? (
        <Notice
          tone={seen ? "info" : "warn"}
          title={
            <span data-testid="subscription-gone">
              {seen ? "This subscription has ended" : "No such subscription is running"}
            </span>
          }
          action={<BackToList />}
        >
          {seen
            ? "Its stream is over: the store lists a subscription only while it runs."
            : `No store instance serves a subscription ${id}. It may have ended (a subscription is listed only while it runs), or the id is wrong.`}
        </Notice>
      ) : (
        <Running s={s} samples={samples(s.id)} />
      )}
      {operate && (
        <EndSubscriptionDialog target={ending ? s : undefined} onClose={() => setEnding(false)} onEnded={setEnded} />
      )}
    </div>
  );
}

function Running({ s, samples }: { s: Subscription; samples: number[] }) {
  const instances = useInstances();
  const instance = instances.data?.answer?.instances.find((i) => i.id === s.instanceId);
  const tone = lagTone(s.lagFacts, s.lagMs, instance?.heartbeatMs);
  return (
    <>
      {s.endRequestedBy && (
        <Notice tone="warn" title="Ending">
          {s.endRequestedBy} asked to end it; its instance ends the stream at its next beat at the latest.
        </Notice>
      )}
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="subscription-figures">
        <Figure label="Lag" testId="detail-lag">
          <span className={cx(tone === "far" && "text-danger")}>{formatCount(s.lagFacts)}</span>
          <span className="ml-1 text-xs font-normal text-muted">facts</span>
          <div className="mt-1.5">
            <Sparkline
              values={padSamples(samples)}
              width={240}
              height={28}
              fluid
              label={`Lag in facts at the last ${samples.length} beats, now ${formatCount(s.lagFacts)}`}
            />
          </div>
        </Figure>
        <Figure label="Waiting">
          {s.lagFacts > 0n ? formatDuration(s.lagMs) : "—"}
          <p className="mt-1 text-xs font-normal text-muted">how long the oldest fact it has not seen has waited</p>
        </Figure>
        <Figure label="Rate">
          {formatRate(s.deliveryRate)}
          <span className="ml-1 text-xs font-normal text-muted">facts/s</span>
          <p className="mt-1 text-xs font-normal text-muted">handed to the client over the last beat</p>
        </Figure>
        <Figure label="Delivered">
          {formatCount(s.factsDelivered)}
          <span className="ml-1 text-xs font-normal text-muted">facts</span>
        </Figure>
      </dl>
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Panel title="What it reads" id="reads">
          <SpecDetails specs={s.specs} />
        </Panel>
        <Panel title="Details" id="details">
          <dl className="grid grid-cols-[9rem_minmax(0,1fr)] gap-x-3 gap-y-2 text-sm">
            <Row label="Mode">
              <span className="flex items-center gap-2">
                <ModeBadge mode={s.mode} caughtUp={s.caughtUp} />
                <span className="text-xs text-muted">{MODE_HINTS[s.mode]}</span>
              </span>
            </Row>
            <Row label="Caught up">
              {s.caughtUp ? "yes" : "no, still reading history"}
              <span className="sr-only"> ({MODE_LABELS[s.mode]})</span>
            </Row>
            <Row label="Last delivered">
              {s.lastDeliveredSerial > 0n ? (
                <>
                  <Link
                    href={factHref(s.lastDeliveredSerial)}
                    className="tabular font-mono text-accent hover:underline"
                    data-testid="detail-position"
                  >
                    serial {formatCount(s.lastDeliveredSerial)}
                  </Link>
                  <span className="block text-xs text-muted">
                    published <Timestamp ms={Number(s.lastDeliveredMs)} />
                  </span>
                </>
              ) : (
                "nothing yet"
              )}
            </Row>
            <Row label="Examined up to">
              <span className="tabular font-mono">{formatCount(s.position)}</span>
              <span className="block text-xs text-muted">facts its specs do not match are passed by</span>
            </Row>
            <Row label="Account">{s.account}</Row>
            <Row label="Client (fc-id)">{s.clientId || "—"}</Row>
            <Row label="Client address">
              <span className="font-mono text-xs break-all">{s.clientAddress || "—"}</span>
            </Row>
            <Row label="Debug info">
              <span className="font-mono text-xs break-all" data-testid="detail-debug-info">
                {s.debugInfo || "—"}
              </span>
            </Row>
            <Row label="Instance">
              <Link
                href={subscriptionsHref({ filters: { instance: s.instanceId } })}
                className="font-mono text-xs break-all text-accent hover:underline"
                title="Every subscription of this instance"
              >
                {instance ? `${instance.grpcAddress} on ${instance.host}` : s.instanceId}
              </Link>
              {instance && <span className="block font-mono text-[11px] text-subtle">{s.instanceId}</span>}
            </Row>
            <Row label="Started">
              <Timestamp ms={Number(s.startedMs)} />
              <span className="block text-xs text-muted">
                <Age ms={Number(s.startedMs)} />
              </span>
            </Row>
            <Row label="Figures as of">
              <Timestamp ms={Number(s.updatedMs)} />
              <span className="block text-xs text-muted">its instance&apos;s last beat</span>
            </Row>
          </dl>
        </Panel>
      </div>
    </>
  );
}

function Figure({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-line bg-surface px-4 py-3">
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd className="tabular mt-1 text-xl font-semibold text-fg" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 text-fg">{children}</dd>
    </>
  );
}
