/**
 * Facts: keyset pages for the browser, recent facts for a namespace, one fact by serial or id.
 *
 * The browser list is ONE infinite query that can grow at both ends. "Forward" pages continue in
 * the requested order from the last row; "back" pages are read in the opposite order from the
 * first row and reversed, so facts that arrived after the list was loaded (newest first) appear
 * above it. Every page is a keyset read (cursor = a serial), so new facts never shift, repeat or
 * skip rows the way offset paging does (provectus/kafka-ui#3622, #4137). Where each page starts
 * is decided in ./fact-pages.ts.
 */
import { callUnaryMethod, createConnectQueryKey, useQuery, useTransport } from "@connectrpc/connect-query";
import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import { useMemo } from "react";
import { ConsoleService, Order } from "../../gen/factline/console/v1/console_pb";
import { toFactQuery, toOrder, type FactsQueryParams } from "../query-params";
import { toFactDetail, toFactPage, toFactRow } from "../view/facts";
import { backParam, forwardParam, opposite, servedOrder, type LoadedPage, type PageParam } from "./fact-pages";
import { factQuery, recentFactsQuery } from "./queries";
import { unlessRefused } from "./errors";

/** The backend's maximum page; fewer round trips to reach 50,000 rows, each still under ~1 MB. */
export const PAGE_SIZE = 500;
/**
 * How many rows one list may hold. Rows carry payload previews (a few hundred bytes each), so
 * this bounds the tab to a few hundred MB; beyond it the page points at Export, which streams the
 * whole result without holding it.
 */
export const MAX_LOADED_ROWS = 100_000;

/** The fact browser's list for a query from the URL. */
export function useFactList(params: FactsQueryParams) {
  const transport = useTransport();
  const query = useMemo(() => toFactQuery(params), [params]);
  const order = toOrder(params.order);
  const start = params.cursor ?? 0n;

  const result = useInfiniteQuery<
    LoadedPage,
    Error,
    InfiniteData<LoadedPage, PageParam>,
    readonly unknown[],
    PageParam
  >({
    queryKey: createConnectQueryKey({
      schema: ConsoleService.method.queryFacts,
      input: { query, order, cursor: start, limit: PAGE_SIZE },
      transport,
      cardinality: "infinite",
    }),
    initialPageParam: { cursor: start, direction: "forward" },
    queryFn: async ({ pageParam, signal }) => {
      const back = pageParam.direction === "back";
      const res = await callUnaryMethod(
        transport,
        ConsoleService.method.queryFacts,
        { query, order: back ? opposite(order) : order, cursor: pageParam.cursor, limit: PAGE_SIZE },
        { signal },
      );
      return { ...toFactPage(res, back), direction: pageParam.direction };
    },
    getNextPageParam: (_last, pages) =>
      forwardParam(pages, order, start, params.toSerial !== undefined || params.toDate !== undefined),
    getPreviousPageParam: (_first, pages) => backParam(pages, order, start),
    // Facts never change once stored: a loaded page stays true. Refetching would re-read every
    // loaded page (hundreds with 50,000 rows) just because the window regained focus.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    // Comparing 50,000 rows for structural equality on every page costs more than it could save.
    structuralSharing: false,
  });

  const rows = useMemo(() => result.data?.pages.flatMap((p) => p.rows) ?? [], [result.data]);
  const pages = result.data?.pages ?? [];
  const firstForward = pages.find((p) => p.direction === "forward");
  const lastPage = pages.at(-1);
  return {
    ...result,
    rows,
    /** The order the rows are really in: a plain FactCast server only reads oldest first. */
    order: (servedOrder(pages, order) === Order.OLDEST_FIRST ? "oldest" : "newest") as FactsQueryParams["order"],
    /** What the backend said about the query (from its first page). */
    info: firstForward && {
      strategy: firstForward.strategy,
      resolvedFromSerial: firstForward.resolvedFromSerial,
      resolvedToSerial: firstForward.resolvedToSerial,
      notices: firstForward.notices,
    },
    /** More rows beyond the last one, in the list's order, and room to hold them. */
    canLoadMore: Boolean(lastPage?.hasMore) && rows.length < MAX_LOADED_ROWS,
    atCapacity: rows.length >= MAX_LOADED_ROWS,
    /** The list can still grow above its first row (newer facts, or the rows before `cursor`). */
    canLoadBefore: result.hasPreviousPage && rows.length < MAX_LOADED_ROWS,
    /** The rows before the start position are all loaded (a back page found no more). */
    backExhausted: pages[0]?.direction === "back" && !pages[0].hasMore,
    /** Oldest first and at the end: facts published since may continue the list. */
    canCheckNewer: !lastPage?.hasMore && result.hasNextPage && rows.length < MAX_LOADED_ROWS,
  };
}

/** The newest facts of a namespace, for its page. */
export function useRecentFacts(ns: string) {
  const q = recentFactsQuery(ns);
  const result = useQuery(q.method, q.input, { refetchInterval: unlessRefused(15_000) });
  const rows = useMemo(() => result.data?.facts.map(toFactRow) ?? [], [result.data]);
  return { ...result, rows };
}

/** One whole fact with its neighbours and its aggregates' history. */
export function useFact(key: { serial: bigint } | { id: string }) {
  const q = factQuery(key);
  const result = useQuery(q.method, q.input, {
    // The fact itself never changes; its neighbours and history only grow. A minute is plenty.
    staleTime: 60_000,
    refetchOnWindowFocus: false,
  });
  const detail = useMemo(() => (result.data ? toFactDetail(result.data) : undefined), [result.data]);
  return { ...result, detail };
}
