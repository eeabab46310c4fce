"use client";
/**
 * `/live`: the subscription from the URL (lib/live-params.ts), streamed into a capped,
 * newest-first list with pause, clear, stop, a text filter, rates and a detail pane.
 *
 * Connections: each live tab holds one streaming request open, and browsers allow ~6 HTTP/1.1
 * connections per origin. A tab hidden for 30 s releases its stream (lib/browser/live-stream.ts,
 * HIDDEN_RELEASE_MS) and resumes after the last fact it showed when it is visible again; every
 * other console request, the overview's rate included, is short and unary (lib/browser/transport.ts
 * has the whole budget). Over HTTP/2 (behind a TLS proxy) the limit does not apply at all.
 */
import { useSearchParams } from "next/navigation";
import { useDeferredValue, useEffect, useMemo, useState } from "react";
import { ReadScope } from "@/components/access/ReadScope";
import { Button } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { MAX_BUFFER_CAP, MIN_BUFFER_CAP, matchesText, visibleItems } from "@/lib/browser/live-buffer";
import { useLiveStream, type LiveStatus } from "@/lib/browser/live-stream";
import { storeHealth, useStoreStatus } from "@/lib/browser/store-status";
import { describeLiveStart, parseLiveSearchParams, toLiveSearchParams, type LiveParams } from "@/lib/live-params";
import { describeFactsQuery, toFactQuery } from "@/lib/query-params";
import { liveBadge } from "@/lib/view/live-status";
import { formatCount } from "@/lib/view/numbers";
import { LiveDetail } from "./LiveDetail";
import { LiveList } from "./LiveList";
import { LiveRateChart } from "./LiveRateChart";
import { LiveWatchForm } from "./LiveWatchForm";

export function LiveView() {
  const search = useSearchParams().toString();
  const parsed = useMemo(() => parseLiveSearchParams(search), [search]);
  if (!parsed.ok) {
    return (
      <div className="flex flex-col gap-4">
        <PageTitle title="Live" />
        <LiveWatchForm key={search} search={search} />
        <Notice tone="danger" title="The subscription in the URL is not valid; nothing is watched">
          <ul data-testid="live-url-errors">
            {parsed.errors.map((e) => (
              <li key={e.message}>{e.message}</li>
            ))}
          </ul>
        </Notice>
      </div>
    );
  }
  return <LiveWatch key={search} search={search} params={parsed.params} />;
}

function LiveWatch({ search, params }: { search: string; params: LiveParams }) {
  const key = toLiveSearchParams(params).toString();
  const filters = useMemo(() => toFactQuery(params.query).filters, [params]);
  const live = useLiveStream(filters, params.start, key);
  const [text, setText] = useState("");
  const needle = useDeferredValue(text.trim());
  const [selected, setSelected] = useState<bigint>();
  const { buffer } = live;
  const items = useMemo(() => {
    const all = visibleItems(buffer);
    return needle ? all.filter((it) => matchesText(it, needle)) : all;
  }, [buffer, needle]);
  const selectedFact = useMemo(() => {
    if (selected === undefined) return undefined;
    const it =
      buffer.items.find((i) => i.kind === "fact" && i.fact.serial === selected) ??
      visibleItems(buffer).find((i) => i.kind === "fact" && i.fact.serial === selected);
    return it?.kind === "fact" ? it.fact : undefined;
  }, [buffer, selected]);
  const stopped = live.status.kind === "stopped";
  const failed = live.status.kind === "failed";
  // The store keeps a follow open through a database outage (up to its bound, README "Failures and
  // recovery"), so the stream alone would look healthy: the store's status says what is going on.
  const health = storeHealth(useStoreStatus());
  const { reconnectNow } = live;
  useEffect(() => {
    if (health === "up") reconnectNow();
  }, [health, reconnectNow]);

  return (
    <div className="flex flex-col gap-4">
      <PageTitle
        title="Live"
        subtitle={`Watching ${describeFactsQuery(params.query)}, ${describeLiveStart(params.start)}.`}
      />
      <LiveWatchForm search={search} />
      {params.query.namespaces.length === 0 && <ReadScope live />}
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Live controls">
        <StatusBadge status={live.status} paused={buffer.paused} databaseDown={health === "database-unavailable"} />
        {buffer.paused ? (
          <Button variant="primary" onClick={live.resume}>
            Resume
          </Button>
        ) : (
          <Button onClick={live.pause} disabled={stopped || failed}>
            Pause
          </Button>
        )}
        <Button onClick={live.clear}>Clear</Button>
        {stopped || failed ? (
          <Button onClick={live.restart}>Watch again</Button>
        ) : (
          <Button onClick={live.stop} title="End the subscription and keep the list">
            Stop
          </Button>
        )}
        {buffer.paused && (
          <span className="rounded bg-accent-soft px-2 py-1 text-xs text-accent-soft-fg" data-testid="live-new">
            <span className="tabular" data-testid="live-new-count">
              {buffer.newWhilePaused}
            </span>{" "}
            new
          </span>
        )}
        <span className="text-xs text-muted" data-testid="live-counts">
          {formatCount(buffer.received)} received ·{" "}
          <span data-testid="live-dropped">{formatCount(buffer.dropped)}</span> dropped by the cap
        </span>
        <label
          className="ml-auto flex items-center gap-1 text-xs text-muted"
          title="Older facts leave the list beyond this; it keeps the tab's memory flat however long it watches"
        >
          Keep
          <input
            type="number"
            aria-label="Buffer size"
            className="w-24 rounded-md border border-line bg-surface px-2 py-1 text-sm text-fg"
            min={MIN_BUFFER_CAP}
            max={MAX_BUFFER_CAP}
            step={1000}
            defaultValue={buffer.cap}
            onBlur={(e) => live.setCap(Number(e.target.value) || buffer.cap)}
            onKeyDown={(e) => e.key === "Enter" && live.setCap(Number(e.currentTarget.value) || buffer.cap)}
          />
          facts
        </label>
        <input
          type="search"
          aria-label="Filter the list"
          placeholder="Filter the list…"
          className="w-56 rounded-md border border-line bg-surface px-2 py-1 text-sm text-fg placeholder:text-subtle"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {live.status.kind === "failed" && (
        <Notice tone="danger" title={live.status.title}>
          <span data-testid="live-failure">{live.status.detail}</span>
        </Notice>
      )}
      {health === "database-unavailable" && !stopped && !failed && (
        <Notice tone="warn" title="The store's database is unavailable">
          <span data-testid="live-outage">
            The store answers but cannot reach PostgreSQL, so no new facts arrive now. This watch resumes by itself
            after the last fact shown once the database is back — nothing published in between is missed.
          </span>
        </Notice>
      )}
      {live.status.kind === "hidden" && (
        <Notice tone="info" title="On hold while the tab is hidden">
          This tab gave its connection back after 30 s in the background, so other console tabs are not kept waiting
          (browsers allow ~6 connections per site). It resumes after the last fact shown — nothing is missed.
        </Notice>
      )}
      <LiveRateChart rate={live.rate} />
      <div className={selectedFact ? "grid gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]" : undefined}>
        <div>
          <LiveList items={items} selected={selected} onSelect={setSelected} />
          {items.length === 0 && (
            <p className="mt-2 text-sm text-muted" data-testid="live-empty">
              {needle
                ? "No buffered fact matches the filter."
                : stopped
                  ? "Stopped."
                  : failed
                    ? "Not watching."
                    : "Waiting for facts…"}
            </p>
          )}
        </div>
        {selectedFact && (
          <LiveDetail fact={selectedFact} asVersion={params.query.asVersion} onClose={() => setSelected(undefined)} />
        )}
      </div>
    </div>
  );
}

const TONES = {
  ok: "bg-ok-soft text-ok",
  accent: "bg-accent-soft text-accent-soft-fg",
  warn: "bg-warn-soft text-warn",
  danger: "bg-danger-soft text-danger",
  muted: "bg-surface-2 text-muted",
} as const;

function StatusBadge({ status, paused, databaseDown }: { status: LiveStatus; paused: boolean; databaseDown: boolean }) {
  const badge = liveBadge(status, paused, databaseDown);
  return (
    <span className="flex min-w-0 items-center gap-2">
      <span
        role="status"
        data-testid="live-status"
        data-status={badge.state}
        title={badge.detail}
        className={`shrink-0 rounded px-2 py-1 text-xs font-medium ${TONES[badge.tone]}`}
      >
        {badge.label}
      </span>
      {badge.state === "reconnecting" && badge.detail && (
        <span className="max-w-md truncate text-xs text-muted" title={badge.detail}>
          {badge.detail}
        </span>
      )}
    </span>
  );
}
