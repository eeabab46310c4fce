// QueryFacts: one keyset page of facts. With factline's admin services the store pages by serial in
// either order; against a plain FactCast server we page oldest-first with catch-up subscriptions.
// A query for one type "as version N" (FactFilter.version) needs the store's transformations, which
// only FactCast's subscriptions apply: the keyset query finds the page, a catch-up over exactly its
// serials delivers the facts in that version.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Order as AdminOrder } from "../../../gen/factline/admin/v1/admin_pb";
import {
  FactQuerySchema,
  Order,
  QueryFactsResponseSchema,
  type Fact,
  type FactQuery,
  type QueryFactsRequest,
  type QueryFactsResponse,
} from "../../../gen/factline/console/v1/console_pb";
import { withAdmin } from "../upstream/capabilities";
import { consoleError } from "../upstream/errors";
import { catchUp } from "./catchup";
import { toAdminFilters, toFactCastSpecs } from "../upstream/factcast";
import { resolveRange, type SerialRange } from "./range";
import { PAYLOAD_PREVIEW_BYTES, reshapeQueriedFact, reshapeWireFact } from "./reshape";
import type { Upstream } from "../upstream/upstream";
import { validateQueryRequest } from "./validate";

export const STRATEGY_KEYSET = "keyset";
export const STRATEGY_CATCH_UP = "catch-up";
export const NEWEST_FIRST_UNAVAILABLE =
  "Newest-first browsing needs factline's admin services; this store is read oldest first, so the facts are shown oldest first.";

/**
 * A catch-up page that finds nothing for this long is given up, with what it found so far: a
 * narrow filter over a large plain-FactCast store otherwise scans the whole log for one page.
 */
export const CATCH_UP_PAGE_TIMEOUT_MS = 30_000;

export interface QueryOptions {
  /** "Today" for resolving days; injectable for tests. */
  now?: Date;
  signal?: AbortSignal;
}

export async function queryFacts(
  upstream: Upstream,
  req: QueryFactsRequest,
  options: QueryOptions = {},
): Promise<QueryFactsResponse> {
  const limit = validateQueryRequest(req);
  const query = req.query ?? create(FactQuerySchema);
  const range = await resolveRange(upstream, query, options.now);
  const versioned = query.filters.some((f) => f.version > 0);
  const page = await withAdmin(
    upstream.capabilities,
    () =>
      versioned
        ? transformedKeysetPage(upstream, query, range, req, limit, options.signal)
        : keysetPage(upstream, query, range, req, limit),
    () => catchUpPage(upstream, query, range, req, limit, options.signal),
  );
  return create(QueryFactsResponseSchema, {
    ...page,
    resolvedFromSerial: range.from,
    resolvedToSerial: range.to,
    notices: [...(range.notice ? [range.notice] : []), ...page.notices],
  });
}

interface Page {
  facts: Fact[];
  hasMore: boolean;
  nextCursor: bigint;
  strategy: string;
  notices: string[];
}

/** The store pages for us: the cursor and the range become exclusive serial bounds. */
async function keysetPage(
  upstream: Upstream,
  query: FactQuery,
  range: SerialRange,
  req: QueryFactsRequest,
  limit: number,
  previewBytes = PAYLOAD_PREVIEW_BYTES,
): Promise<Page> {
  const newestFirst = req.order !== Order.OLDEST_FIRST;
  let after = range.from > 0n ? range.from - 1n : 0n;
  let before = range.to > 0n ? range.to + 1n : 0n;
  if (req.cursor > 0n) {
    if (newestFirst) before = before === 0n || req.cursor < before ? req.cursor : before;
    else if (req.cursor > after) after = req.cursor;
  }
  const none = { facts: [], hasMore: false, nextCursor: req.cursor, strategy: STRATEGY_KEYSET, notices: [] };
  if (range.empty || (before !== 0n && before <= after + 1n)) return none;
  const res = await upstream.query.queryFacts({
    filters: toAdminFilters(query.filters),
    order: newestFirst ? AdminOrder.NEWEST_FIRST : AdminOrder.OLDEST_FIRST,
    afterSerial: after,
    beforeSerial: before,
    limit,
    payloadPreviewBytes: previewBytes,
  });
  const facts = res.facts.map(reshapeQueriedFact);
  return { ...none, facts, hasMore: res.hasMore, nextCursor: facts.at(-1)?.serial ?? req.cursor };
}

/**
 * A keyset page in another version: the admin query decides which facts and in what order (only
 * their serials are needed, so a one-byte preview keeps payloads home); one catch-up subscription
 * from just before the page's oldest serial to its newest, with the filters' versions, delivers
 * them transformed. The same filters select the same facts in both, so the page is complete; a
 * transformation that fails ends the catch-up and the page with FactCast's exception.
 */
async function transformedKeysetPage(
  upstream: Upstream,
  query: FactQuery,
  range: SerialRange,
  req: QueryFactsRequest,
  limit: number,
  signal?: AbortSignal,
): Promise<Page> {
  const page = await keysetPage(upstream, query, range, req, limit, 1);
  if (page.facts.length === 0) return page;
  const serials = page.facts.map((f) => f.serial);
  const oldest = serials.reduce((a, b) => (b < a ? b : a));
  const newest = serials.reduce((a, b) => (b > a ? b : a));
  const deadline = AbortSignal.timeout(CATCH_UP_PAGE_TIMEOUT_MS);
  const delivered = new Map<bigint, Fact>();
  for await (const { wire, header } of catchUp(upstream, {
    specs: toFactCastSpecs(query.filters),
    afterSerial: oldest - 1n,
    toSerial: newest,
    signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
  })) {
    delivered.set(header.serial, reshapeWireFact(wire, PAYLOAD_PREVIEW_BYTES));
  }
  const facts = page.facts.map((f) => delivered.get(f.serial));
  if (facts.some((f) => f === undefined)) {
    throw consoleError(
      `the store delivered ${delivered.size} of the page's ${page.facts.length} facts in the version asked for; reload to try again`,
      Code.Unavailable,
    );
  }
  return { ...page, facts: facts as Fact[] };
}

/**
 * FactCast alone: a catch-up subscription from the cursor (or the range's start), `limit` + 1
 * facts to learn whether more follow, then the call is cancelled. Oldest first, whatever was asked.
 */
async function catchUpPage(
  upstream: Upstream,
  query: FactQuery,
  range: SerialRange,
  req: QueryFactsRequest,
  limit: number,
  signal?: AbortSignal,
): Promise<Page> {
  const notices = req.order === Order.OLDEST_FIRST ? [] : [NEWEST_FIRST_UNAVAILABLE];
  const page: Page = { facts: [], hasMore: false, nextCursor: req.cursor, strategy: STRATEGY_CATCH_UP, notices };
  if (range.empty) return page;
  const start = range.from > 0n ? range.from - 1n : 0n;
  const after = req.cursor > start ? req.cursor : start;
  const deadline = AbortSignal.timeout(CATCH_UP_PAGE_TIMEOUT_MS);
  const facts = catchUp(upstream, {
    specs: toFactCastSpecs(query.filters),
    afterSerial: after,
    toSerial: range.to > 0n ? range.to : undefined,
    signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
  });
  try {
    for await (const { wire } of facts) {
      if (page.facts.length === limit) {
        page.hasMore = true;
        break;
      }
      // Cut at once: only previews are kept, however large the payloads the store sends.
      page.facts.push(reshapeWireFact(wire, PAYLOAD_PREVIEW_BYTES));
    }
  } catch (err) {
    if (!deadline.aborted || signal?.aborted) throw err;
    // Without a single fact there is no cursor to continue from: the next page would scan the same.
    if (page.facts.length === 0) {
      throw consoleError(
        `no matching fact found within ${CATCH_UP_PAGE_TIMEOUT_MS / 1000} s: this store scans its log for matches, ` +
          "so narrow the query with a serial or date range (or run the store with factline's admin services)",
        Code.DeadlineExceeded,
      );
    }
    page.hasMore = true;
    page.notices.push(
      `Reading stopped after ${CATCH_UP_PAGE_TIMEOUT_MS / 1000} s with ${page.facts.length} facts: this store scans its log for ` +
        "matches. Narrow the query with a serial or date range, or load the next page to continue.",
    );
  }
  page.nextCursor = page.facts.at(-1)?.serial ?? req.cursor;
  return page;
}
