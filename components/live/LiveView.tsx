"use client";
/**
 * `/live`: the subscription from the URL (lib/query-params.ts names), streamed into a capped,
 * newest-first list with pause, clear, stop, a text filter, rates and a detail pane.
 *
 * Connections: each live tab holds one streaming request open, and browsers allow ~6 HTTP/1.1
 * connections per origin. A tab hidden for 30 s releases its stream (lib/client/live-stream.ts,
 * HIDDEN_RELEASE_MS) and resumes after the last fact it showed when it is visible again; over
 * HTTP/2 (behind a TLS proxy) the limit does not apply at all.
 */
import { useSearchParams } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { MAX_BUFFER_CAP, MIN_BUFFER_CAP, matchesText, visibleItems } from "@/lib/client/live-buffer";
import { useLiveStream, type LiveStart, type LiveStatus } from "@/lib/client/live-stream";
import { describeFactsQuery, parseFactsSearchParams, toFactQuery, toFactsSearchParams, type FactsQueryParams } from "@/lib/query-params";
import { formatCount } from "@/lib/view/numbers";
import { LiveDetail } from "./LiveDetail";
import { LiveList } from "./LiveList";
import { LiveRateChart } from "./LiveRateChart";
import { LiveWatchForm } from "./LiveWatchForm";

export function LiveView() {
  const search = useSearchParams().toString();
  const parsed = useMemo(() => parseFactsSearchParams(search), [search]);
  if (!parsed.ok) {
    return (
      <div className="flex flex-col gap-4">
        <PageTitle title="Live" />
        <Notice tone="danger" title="The subscription in the URL is not valid">
          <ul>{parsed.errors.map((e) => <li key={e.message}>{e.message}</li>)}</ul>
        </Notice>
      </div>
    );
  }
  return <LiveWatch key={search} params={parsed.params} />;
}

function startOf(params: FactsQueryParams): LiveStart {
  // `from` is inclusive in the URL; the stream resumes strictly after a serial.
  if (params.fromSerial !== undefined && params.fromSerial > 1n) return { kind: "serial", afterSerial: params.fromSerial - 1n };
  if (params.fromDate) return { kind: "date", fromDate: params.fromDate };
  // from=1 (the whole log): after_serial 0 means "now" on the wire, so start from the first day instead.
  if (params.fromSerial === 1n) return { kind: "date", fromDate: "1970-01-01" };
  return { kind: "now" };
}

function LiveWatch({ params }: { params: FactsQueryParams }) {
  const key = toFactsSearchParams(params).toString();
  const filters = useMemo(() => toFactQuery(params).filters, [params]);
  const start = useMemo(() => startOf(params), [params]);
  const live = useLiveStream(filters, start, key);
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
    const it = buffer.items.find((i) => i.kind === "fact" && i.fact.serial === selected) ?? visibleItems(buffer).find((i) => i.kind === "fact" && i.fact.serial === selected);
    return it?.kind === "fact" ? it.fact : undefined;
  }, [buffer, selected]);
  const stopped = live.status.kind === "stopped";

  return (
    <div className="flex flex-col gap-4">
      <PageTitle title="Live" subtitle={`Watching ${describeFactsQuery(params)}, ${startWords(start)}.`} />
      <LiveWatchForm params={params} />
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Live controls">
        <StatusBadge status={live.status} />
        {buffer.paused ? (
          <Button variant="primary" onClick={live.resume}>Resume</Button>
        ) : (
          <Button onClick={live.pause} disabled={stopped}>Pause</Button>
        )}
        <Button onClick={live.clear}>Clear</Button>
        {stopped ? <Button onClick={live.restart}>Watch again</Button> : <Button onClick={live.stop} title="End the subscription and keep the list">Stop</Button>}
        {buffer.paused && (
          <span className="rounded bg-accent-soft px-2 py-1 text-xs text-accent-soft-fg" data-testid="live-new">
            <span className="tabular" data-testid="live-new-count">{buffer.newWhilePaused}</span> new
          </span>
        )}
        <span className="text-xs text-muted" data-testid="live-counts">
          {formatCount(buffer.received)} received · <span data-testid="live-dropped">{formatCount(buffer.dropped)}</span> dropped by the cap
        </span>
        <label className="ml-auto flex items-center gap-1 text-xs text-muted" title="Older facts leave the list beyond this; it keeps the tab's memory flat however long it watches">
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
      {live.status.kind === "hidden" && (
        <Notice tone="info" title="Paused while the tab was hidden">
          This tab gave its connection back after 30 s in the background, so other console tabs are not kept waiting (browsers
          allow ~6 connections per site). It resumes after the last fact shown — nothing is missed.
        </Notice>
      )}
      <LiveRateChart rate={live.rate} />
      <div className={selectedFact ? "grid gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]" : undefined}>
        <div>
          <LiveList items={items} selected={selected} onSelect={setSelected} />
          {items.length === 0 && (
            <p className="mt-2 text-sm text-muted" data-testid="live-empty">
              {needle ? "No buffered fact matches the filter." : stopped ? "Stopped." : "Waiting for facts…"}
            </p>
          )}
        </div>
        {selectedFact && <LiveDetail fact={selectedFact} onClose={() => setSelected(undefined)} />}
      </div>
    </div>
  );
}

function startWords(start: LiveStart): string {
  if (start.kind === "serial") return `from serial ${formatCount(start.afterSerial + 1n)}`;
  if (start.kind === "date") return start.fromDate === "1970-01-01" ? "from the first fact" : `from ${start.fromDate} (UTC)`;
  return "from now";
}

function StatusBadge({ status }: { status: LiveStatus }) {
  const [label, tone] =
    status.kind === "live"
      ? [status.caughtUp ? "Live" : "Catching up", "bg-ok-soft text-ok"]
      : status.kind === "connecting"
        ? ["Connecting…", "bg-surface-2 text-muted"]
        : status.kind === "reconnecting"
          ? [status.error ? `Reconnecting (attempt ${status.attempt}): ${status.error}` : `Reconnecting (attempt ${status.attempt})…`, "bg-warn-soft text-warn"]
          : status.kind === "hidden"
            ? ["Paused: tab hidden", "bg-surface-2 text-muted"]
            : ["Stopped", "bg-surface-2 text-muted"];
  return (
    <span role="status" data-testid="live-status" data-status={status.kind} className={`rounded px-2 py-1 text-xs font-medium ${tone}`}>
      {label}
    </span>
  );
}
