// The fact browser's "export": the WHOLE result of a query as NDJSON, oldest first, one
// {"header":…,"payload":…} per line with both exactly as stored (or, with `asVersion`, as the store
// delivers them in that version). Streamed with back-pressure: the
// response pulls one fact at a time from a catch-up subscription, so a million facts never sit in
// memory and a slow download slows the store's reading instead of filling the console's heap.
import { Code } from "@connectrpc/connect";
import { exportScope, parseFactsSearchParams, toFactQuery } from "../../query-params";
import { catchUp, type CaughtUpFact } from "../rpc/catchup";
import { toConsoleError } from "../upstream/errors";
import { toFactCastSpecs } from "../upstream/factcast";
import { log } from "../log";
import { resolveRange } from "../rpc/range";
import type { Upstream } from "../upstream/upstream";
import { validateQuery } from "../rpc/validate";
import { readableScope } from "../upstream/readable";

const encoder = new TextEncoder();

/**
 * Answers GET /api/export?<the fact browser's parameters> (see lib/query-params.ts; `order` and
 * `cursor` are ignored: an export is always the whole range, oldest first).
 */
export async function exportFacts(
  upstream: Upstream,
  search: URLSearchParams,
  signal?: AbortSignal,
): Promise<Response> {
  const parsed = parseFactsSearchParams(search);
  if (!parsed.ok) {
    return plain(400, parsed.errors.map((e) => `${e.param}: ${e.message}`).join("\n"));
  }
  const params = { ...parsed.params, cursor: undefined, order: "oldest" as const };
  const filename = `facts-${exportScope(params)}.ndjson`;
  let facts: AsyncGenerator<CaughtUpFact> | undefined;
  let first: IteratorResult<CaughtUpFact>;
  try {
    const query = toFactQuery(params);
    validateQuery(query);
    const { filters } = await readableScope(upstream, query.filters, signal);
    const range = await resolveRange(upstream, query);
    facts = range.empty
      ? undefined
      : catchUp(upstream, {
          specs: toFactCastSpecs(filters),
          afterSerial: range.from > 0n ? range.from - 1n : 0n,
          toSerial: range.to > 0n ? range.to : undefined,
          signal,
        });
    // The first fact is read before answering, so a store that is down is a clear 503, not a
    // download that breaks after its headers.
    first = facts ? await facts.next() : { done: true, value: undefined };
  } catch (err) {
    await facts?.return(undefined);
    const e = toConsoleError(err, upstream.url, "export");
    return plain(httpStatus(e.code), e.rawMessage);
  }

  let pending: IteratorResult<CaughtUpFact> | undefined = first;
  let count = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = pending ?? (await facts!.next());
        pending = undefined;
        if (next.done) {
          controller.close();
          return;
        }
        count++;
        controller.enqueue(encoder.encode(ndjsonLine(next.value)));
      } catch (err) {
        // Headers are gone; all we can do is break the download so it is not mistaken for complete.
        log.error("export failed mid-stream", { filename, factsWritten: count, error: (err as Error).message });
        controller.error(err);
      }
    },
    async cancel() {
      // The browser gave up: end the subscription so the store stops reading.
      await facts?.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * One NDJSON line with header and payload spliced in as stored. A raw line break can only be
 * whitespace between JSON tokens (inside strings it is always escaped), so replacing it with a
 * space keeps the document identical in meaning and the file one fact per line.
 */
export function ndjsonLine(fact: CaughtUpFact): string {
  return `{"header":${oneLine(fact.wire.header)},"payload":${oneLine(fact.wire.payload)}}\n`;
}

function oneLine(json: string): string {
  return /[\r\n]/.test(json) ? json.replace(/[\r\n]/g, " ") : json;
}

/** A short text answer: what went wrong, for the user who clicked a download link. */
export function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The HTTP status a download link answers for a console error. */
export function httpStatus(code: Code): number {
  switch (code) {
    case Code.InvalidArgument:
      return 400;
    case Code.NotFound:
      return 404;
    case Code.FailedPrecondition:
      return 412;
    case Code.Unauthenticated:
      return 401;
    case Code.PermissionDenied:
      return 403;
    case Code.Unavailable:
      return 503;
    case Code.DeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}
