// The data of a page's first view, fetched while the server renders it, so the rows arrive with
// the HTML instead of after the page's scripts have loaded and asked. The calls run in-process
// through the same ConsoleService implementation /api serves (console-service.ts), as the
// signed-in user (lib/backend/auth/request.ts; a signed-out request gets nothing), and the answers
// go into a TanStack Query cache under the keys the browser's hooks use (lib/browser/queries.ts);
// a page hands that cache to <HydrationBoundary>, and from there the hooks poll as before.
import "server-only";
import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { dehydrate, QueryClient, type DehydratedState } from "@tanstack/react-query";
import { ConsoleService, type GetFactResponse } from "../../../gen/factline/console/v1/console_pb";
import { API_BASE_URL } from "../../browser/transport";
import {
  catalogQuery,
  consoleQueryKey,
  factQuery,
  recentFactsQuery,
  storeStatusQuery,
  type ConsoleQuery,
} from "../../browser/queries";
import { requestUpstream } from "../auth/request";
import { createConsoleService } from "../rpc/console-service";
import { toMsgUuid } from "../../../factcast/uuid";
import type { Upstream } from "../upstream/upstream";

/**
 * How long a page waits for the store. The browser starts its own requests once the page has
 * hydrated, ~250 ms after navigation (issue #7); an answer later than that saves nothing, so the
 * page goes without it and the browser asks as before. A store that hangs thus costs a page at
 * most this, never the backend's 3–10 s call timeouts.
 */
export const PREFETCH_TIMEOUT_MS = 250;

/**
 * A fact is put into the page only up to this payload size. The HTML carries it as escaped text
 * for hydration; a multi-megabyte payload costs more that way (server render, document size, one
 * long parse before the page answers) than the browser's own binary request it would save.
 */
export const MAX_PREFETCHED_PAYLOAD_BYTES = 1024 * 1024;

export interface PrefetchOptions {
  /** The store to ask; default the request's signed-in user's (none when signed out). */
  upstream?: Upstream;
  /** "Today" for resolving date ranges; tests fix it. */
  now?: () => Date;
  /** Default PREFETCH_TIMEOUT_MS; tests shorten it. */
  timeoutMs?: number;
}

export interface Prefetched {
  /** For <HydrationBoundary state={…}>: the queries that answered in time (possibly none). */
  state: DehydratedState;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ConnectError };
interface Answered {
  query: ConsoleQuery;
  outcome: Outcome<unknown>;
}

/** The overview: the store's status and the whole catalog. */
export async function prefetchOverview(options: PrefetchOptions = {}): Promise<Prefetched> {
  return { state: cacheOf(await askAll([storeStatusQuery(), catalogQuery()], options)) };
}

/** A namespace page: the header's status, the namespace's catalog and its recent facts. */
export async function prefetchNamespacePage(ns: string, options: PrefetchOptions = {}): Promise<Prefetched> {
  return { state: cacheOf(await askAll([storeStatusQuery(), catalogQuery(ns), recentFactsQuery(ns)], options)) };
}

/**
 * A fact page: the fact with its surroundings, and the header's status. `found` is false only when
 * the store said there is no such fact (the page answers 404), undefined when it did not say in time.
 */
export async function prefetchFactPage(
  key: { serial: bigint } | { id: string },
  options: PrefetchOptions = {},
): Promise<Prefetched & { found: boolean | undefined }> {
  const [fact, status] = await askAll([factQuery(key), storeStatusQuery()], options);
  const detail = fact.outcome.ok ? (fact.outcome.value as GetFactResponse) : undefined;
  const fits = (detail?.fact?.payloadBytes ?? 0n) <= BigInt(MAX_PREFETCHED_PAYLOAD_BYTES);
  const found = fact.outcome.ok ? true : fact.outcome.error.code === Code.NotFound ? false : undefined;
  return { state: cacheOf(fits ? [fact, status] : [status]), found };
}

/**
 * The serial of the fact with this id, for /facts/id/<uuid>'s redirect: null when the store has no
 * such fact, undefined when it did not answer within the same budget as a prefetch.
 */
export async function serialOfFact(id: string, options: PrefetchOptions = {}): Promise<bigint | null | undefined> {
  const upstream = options.upstream ?? (await requestUpstream());
  if (!upstream) return undefined;
  try {
    const res = await upstream.facts.serialOf(toMsgUuid(id), {
      timeoutMs: options.timeoutMs ?? PREFETCH_TIMEOUT_MS,
    });
    return res.present ? res.serial : null;
  } catch {
    // Unreachable or slow: the page renders the fact by id and the browser asks (and explains).
    return undefined;
  }
}

/** Asks the console backend all `queries` at once, each bounded by the timeout. */
async function askAll(queries: ConsoleQuery[], options: PrefetchOptions): Promise<Answered[]> {
  const upstream = options.upstream ?? (await requestUpstream());
  // Signed out (proxy.ts sends such a request to /login first): nothing to show, nothing asked.
  if (!upstream) {
    return queries.map((query) => ({
      query,
      outcome: { ok: false, error: new ConnectError("not signed in", Code.Unauthenticated) },
    }));
  }
  const service = createConsoleService({ upstream, now: options.now });
  const timeoutMs = options.timeoutMs ?? PREFETCH_TIMEOUT_MS;
  return Promise.all(queries.map(async (query) => ({ query, outcome: await callBounded(service, query, timeoutMs) })));
}

/**
 * The answers in a fresh QueryClient, dehydrated. Failures are left out: the browser then shows
 * its usual loading and error states, and the backend already logged what was ours to log.
 */
function cacheOf(answered: Answered[]): DehydratedState {
  const client = new QueryClient();
  for (const { query, outcome } of answered) if (outcome.ok) client.setQueryData(consoleQueryKey(query), outcome.value);
  return dehydrate(client);
}

type ConsoleServiceImpl = ReturnType<typeof createConsoleService>;

/** One unary method of the service, called as the Connect router would call it, but in-process. */
async function callBounded(service: ConsoleServiceImpl, q: ConsoleQuery, timeoutMs: number): Promise<Outcome<unknown>> {
  const ctx = createHandlerContext({
    service: ConsoleService,
    method: q.method,
    protocolName: "in-process",
    requestMethod: "POST",
    url: `${API_BASE_URL}/${ConsoleService.typeName}/${q.method.name}`,
    // The deadline aborts ctx.signal, which cancels what listens to it (catch-up reads).
    timeoutMs,
  });
  const impl = service[q.method.localName as keyof ConsoleServiceImpl] as unknown as (
    req: Message,
    ctx: HandlerContext,
  ) => Promise<MessageInitShape<DescMessage>>;
  const answer = impl(create(q.method.input, q.input), ctx).then(
    (init): Outcome<unknown> => ({ ok: true, value: create(q.method.output, init) }),
    (err: unknown): Outcome<unknown> => ({ ok: false, error: ConnectError.from(err) }),
  );
  const late = new Promise<Outcome<unknown>>((resolve) => {
    const onDeadline = () =>
      resolve({ ok: false, error: new ConnectError(`no answer within ${timeoutMs} ms`, Code.DeadlineExceeded) });
    if (ctx.signal.aborted) onDeadline();
    else ctx.signal.addEventListener("abort", onDeadline, { once: true });
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    // Ends the deadline timer; a call still running past it is cancelled where it listens.
    ctx.abort();
  }
}
