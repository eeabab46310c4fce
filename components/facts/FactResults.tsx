"use client";
/**
 * The result of one valid query: toolbar (order, what is loaded, the resolved range, export),
 * the backend's notices, and the table that grows at both ends (lib/browser/facts.ts).
 */
import Link from "@/components/ui/Link";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { CopyButton } from "@/components/ui/CopyButton";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Notice } from "@/components/ui/Notice";
import { Refused } from "@/components/access/Refused";
import { useAccess } from "@/lib/browser/access";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { useCatalog } from "@/lib/browser/catalog";
import { isRefused } from "@/lib/browser/errors";
import { MAX_LOADED_ROWS, useFactList } from "@/lib/browser/facts";
import { useStoreStatus } from "@/lib/browser/store-status";
import type { FactsQueryParams } from "@/lib/query-params";
import { readableScope } from "@/lib/view/access";
import { cx } from "@/lib/view/cx";
import { factsHref } from "@/lib/view/links";
import { formatCount, plural } from "@/lib/view/numbers";
import { ExportButton, ExportScope } from "./ExportButton";
import { FactTable } from "./FactTable";
import type { QuickFilter } from "./FactTableRow";

export function FactResults({
  params,
  onQuickFilter,
}: {
  params: FactsQueryParams;
  onQuickFilter(f: QuickFilter): void;
}) {
  const list = useFactList(params);
  const catalog = useCatalog();
  const status = useStoreStatus();
  const access = useAccess(params.namespaces);
  // Nothing loaded: a refusal then stands for the whole result, not for one more page.
  const refused = list.isError && list.rows.length === 0 && isRefused(list.error);
  // "All namespaces" for a user who may not read "*": the ones the store says they may read.
  const scope = params.namespaces.length === 0 ? readableScope(access.data) : undefined;
  const { rows, info } = list;
  // What is on screen, which against a plain FactCast server is oldest first whatever was asked.
  const newest = list.order === "newest";
  const latest = status.data?.reachable ? status.data.latestSerial : undefined;

  const range = info && (info.resolvedFromSerial > 0n || info.resolvedToSerial > 0n) && (
    <span data-testid="resolved-range">
      serials {info.resolvedFromSerial > 0n ? formatCount(info.resolvedFromSerial) : "first"} –{" "}
      {info.resolvedToSerial > 0n ? formatCount(info.resolvedToSerial) : "latest"}
    </span>
  );

  const footer = list.isFetchNextPageError ? (
    <ErrorNotice error={list.error} retry={() => void list.fetchNextPage()} what="More facts could not be loaded" />
  ) : list.isFetchingNextPage ? (
    "Loading more…"
  ) : list.atCapacity ? (
    <span>
      {formatCount(MAX_LOADED_ROWS)} facts loaded, the most one list holds. Narrow the query, export the whole result,
      or{" "}
      <Link className="text-accent underline" href={factsHref({ ...params, cursor: rows.at(-1)!.serial })}>
        continue in a new list after serial {formatCount(rows.at(-1)!.serial)}
      </Link>
      .
    </span>
  ) : list.canLoadMore ? (
    <Button size="sm" onClick={() => void list.fetchNextPage()}>
      Load more {newest ? "(older)" : "(newer)"}
    </Button>
  ) : (
    <span className="flex items-center gap-3">
      <span data-testid="end-of-result">
        End of the result: {plural(rows.length, "fact")}
        {newest ? "" : " up to now"}.
      </span>
      {list.canCheckNewer && (
        <Button size="sm" onClick={() => void list.fetchNextPage()}>
          Check for newer facts
        </Button>
      )}
    </span>
  );

  // The store's latest serial when the top of the list was last read (its first page changes on
  // the first load and whenever newer facts are put in front): only facts published after that
  // can be new to the list, since the store's latest may well belong to another namespace.
  const firstPage = list.data?.pages[0];
  const statusLatest = status.data?.latestSerial;
  // Noted while rendering, React's pattern for state that follows what was rendered before.
  const [checked, setChecked] = useState<{ page: unknown; latest: bigint }>();
  if (firstPage && statusLatest !== undefined && checked?.page !== firstPage) {
    setChecked({ page: firstPage, latest: statusLatest });
  }

  // Above the first row: the other side of the start position, or facts published since loading.
  const first = rows[0]?.serial;
  const atTop = params.cursor === undefined || list.backExhausted;
  const newerArrived =
    newest &&
    atTop &&
    first !== undefined &&
    latest !== undefined &&
    latest > first &&
    checked !== undefined &&
    checked.page === firstPage &&
    latest > checked.latest;
  const cursorBar = params.cursor !== undefined && !list.backExhausted;
  const header =
    (list.canLoadBefore && (cursorBar || newerArrived)) || list.isFetchingPreviousPage ? (
      <div
        className="flex items-center gap-3 border-b border-line bg-accent-soft px-3 py-1.5 text-xs text-accent-soft-fg"
        data-testid="newer-banner"
      >
        {list.isFetchingPreviousPage ? (
          "Loading…"
        ) : cursorBar ? (
          <>
            <span>
              Starting after serial {formatCount(params.cursor!)}; {newest ? "newer" : "older"} facts are above.
            </span>
            <Button size="sm" onClick={() => void list.fetchPreviousPage()}>
              Load {newest ? "newer" : "older"}
            </Button>
            <Link className="underline" href={factsHref({ ...params, cursor: undefined })}>
              Start from the {newest ? "newest" : "oldest"}
            </Link>
          </>
        ) : (
          <>
            <span>
              The store has facts after serial {formatCount(first!)} (latest {formatCount(latest!)}); some may match.
            </span>
            <Button size="sm" onClick={() => void list.fetchPreviousPage()}>
              Load newer
            </Button>
          </>
        )}
      </div>
    ) : undefined;

  const placeholder = list.isPending ? (
    <SkeletonRows rows={12} className="p-3" />
  ) : refused ? (
    <Refused
      className="m-3"
      what={params.namespaces.length > 0 ? `read namespace ${params.namespaces.join(" or ")}` : "read these facts"}
      error={list.error}
    />
  ) : list.isError && rows.length === 0 ? (
    <ErrorNotice
      error={list.error}
      retry={() => void list.refetch()}
      className="m-3"
      what="The facts could not be loaded"
    />
  ) : rows.length === 0 ? (
    <div className="p-6 text-center text-sm text-muted" data-testid="no-facts">
      No fact matches this query{params.cursor !== undefined ? ` after serial ${formatCount(params.cursor)}` : ""}.
      {list.canCheckNewer || newest ? (
        <Button size="sm" className="ml-3" onClick={() => void list.refetch()}>
          Check again
        </Button>
      ) : null}
    </div>
  ) : undefined;

  return (
    <>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <OrderSwitch
          params={params}
          shown={list.isPending ? params.order : list.order}
          newestAvailable={!(status.data?.reachable && !status.data.adminAvailable)}
        />
        <p className="tabular text-xs text-muted" aria-live="polite" data-testid="loaded-count">
          {list.isPending
            ? "Loading…"
            : `${plural(rows.length, "fact")} loaded${list.canLoadMore ? ", more available" : ""}`}
          {range && <> · {range}</>}
          {info?.strategy === "catch-up" && <> · read by catch-up (plain FactCast)</>}
          {params.asVersion !== undefined && (
            <span data-testid="as-version-note"> · shown as version {params.asVersion} (transformed by the store)</span>
          )}
        </p>
        <div className="ml-auto flex items-center gap-2">
          <CopyButton
            text={() => window.location.href}
            label="Copy link"
            title="Copy this page's URL: it reproduces the query"
          />
          {!refused && <ExportButton params={params} catalog={catalog.data} scope={scope} />}
        </div>
      </div>
      {!refused && <ExportScope params={params} catalog={catalog.data} scope={scope} />}
      {info?.notices.map((n) => (
        <Notice key={n} tone="warn" className="py-2">
          <span data-testid="query-notice">{n}</span>
        </Notice>
      ))}
      <FactTable
        rows={rows}
        canLoadMore={list.canLoadMore && !list.isFetchNextPageError}
        loadMore={list.fetchNextPage}
        loadingMore={list.isFetchingNextPage}
        placeholder={placeholder}
        header={header}
        footer={footer}
        onQuickFilter={onQuickFilter}
        asVersion={params.asVersion}
      />
    </>
  );
}

function OrderSwitch({
  params,
  shown,
  newestAvailable,
}: {
  params: FactsQueryParams;
  shown: FactsQueryParams["order"];
  newestAvailable: boolean;
}) {
  const options = [
    { value: "newest", label: "Newest first" },
    { value: "oldest", label: "Oldest first" },
  ] as const;
  return (
    <div
      role="group"
      aria-label="Order"
      className="inline-flex h-7 overflow-hidden rounded-md border border-line text-xs"
    >
      {options.map((o) =>
        o.value === "newest" && !newestAvailable ? (
          <span
            key={o.value}
            aria-disabled="true"
            title="Needs factline's admin services; this store reads oldest first only"
            className="flex cursor-not-allowed items-center bg-surface px-2.5 font-medium text-subtle line-through"
          >
            {o.label}
          </span>
        ) : (
          <Link
            key={o.value}
            href={factsHref({ ...params, order: o.value, cursor: undefined })}
            aria-current={shown === o.value ? "true" : undefined}
            className={cx(
              "flex items-center px-2.5 font-medium",
              shown === o.value
                ? "bg-accent-soft text-accent-soft-fg"
                : "bg-surface text-muted hover:bg-surface-2 hover:text-fg",
            )}
          >
            {o.label}
          </Link>
        ),
      )}
    </div>
  );
}
