// Reading facts with nothing but FactCast's protocol: a catch-up subscription (continuous=false)
// from a serial, oldest first, cancelled as soon as the caller has what it needs. Used as the
// fallback for queries against a plain FactCast server, and by the export for every store.
import { Code, ConnectError } from "@connectrpc/connect";
import { consoleError } from "../upstream/errors";
import { MSG_Notification_Type } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { notificationFacts } from "../../../factcast/notifications";
import { subscriptionRequest, type FactSpecJson } from "../../../factcast/spec";
import { fetchBySerial, latestSerial } from "../upstream/factcast";
import { parseHeader, type ParsedHeader, type WireFact } from "./reshape";
import type { Upstream } from "../upstream/upstream";

/**
 * FactCast starts a subscription after a fact *id*, not a serial. To start after serial S we need
 * the id of the newest fact at or below S; serials have gaps (rolled-back publishes), so we walk
 * down. Gaps this long are rare; walking further would cost a round trip per missing serial.
 */
export const MAX_GAP_WALK = 1024;
/** Serials probed at once while walking down a gap: a few round trips, not a thousand. */
const WALK_BATCH = 16;

export interface CatchUpOptions {
  specs: FactSpecJson[];
  /** Deliver facts with a serial above this (0 = from the beginning). */
  afterSerial?: bigint;
  /** Or: deliver facts after the fact with this id (skips the serial → id lookup). */
  afterId?: string;
  /** Stop (and cancel) at the first fact above this serial; undefined = to the end of the log. */
  toSerial?: bigint;
  /** Cancels the subscription from outside (a browser gone, an export aborted). */
  signal?: AbortSignal;
  /** A deadline for the whole catch-up; undefined = none (exports can take long). */
  timeoutMs?: number;
}

export interface CaughtUpFact {
  wire: WireFact;
  header: ParsedHeader;
}

/**
 * Matching facts in serial order. Stopping the iteration (break / return) cancels the upstream
 * call, so the store stops reading: nothing past what the caller consumed is fetched for long.
 */
export async function* catchUp(upstream: Upstream, options: CatchUpOptions): AsyncGenerator<CaughtUpFact> {
  const after = options.afterSerial ?? 0n;
  const toSerial = options.toSerial;
  if (toSerial !== undefined && toSerial <= after) return;
  let startingAfter: string | null;
  if (options.afterId !== undefined) startingAfter = options.afterId;
  else {
    const start = await startingAfterId(upstream, after, options.signal);
    if (start === "end") return;
    startingAfter = start;
  }

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) abort.abort(options.signal.reason);
  try {
    const request = subscriptionRequest({ specs: options.specs, startingAfter, debugInfo: "factline-console" });
    const stream = upstream.facts.subscribe(request, {
      signal: abort.signal,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    for await (const note of stream) {
      for (const msg of notificationFacts(note)) {
        const header = parseHeader(msg.header);
        // The walk found the newest fact at or below `after`; a late commit below it is no concern of ours.
        if (header.serial <= after) continue;
        if (toSerial !== undefined && header.serial > toSerial) return;
        yield { wire: { header: msg.header, payload: msg.payload }, header };
      }
      if (note.type === MSG_Notification_Type.Complete) return;
    }
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    // Ends the upstream call if we stopped early; harmless after Complete.
    abort.abort();
  }
}

/**
 * The id to pass as `startingAfter` so delivery begins above `serial`: null = from the beginning,
 * "end" = nothing can follow (serial is at or past the newest fact).
 */
export async function startingAfterId(
  upstream: Upstream,
  serial: bigint,
  signal?: AbortSignal,
): Promise<string | null | "end"> {
  if (serial <= 0n) return null;
  const latest = await latestSerial(upstream);
  if (serial >= latest) return "end";
  // The serial itself first: a cursor is the serial of a fact just shown, so this usually hits.
  const exact = await readableFactAt(upstream, serial);
  if (exact) return parseHeader(exact.header).id;
  const floor = serial > BigInt(MAX_GAP_WALK) ? serial - BigInt(MAX_GAP_WALK) : 0n;
  for (let top = serial - 1n; top > floor; top -= BigInt(WALK_BATCH)) {
    const candidates: bigint[] = [];
    for (let s = top; s > floor && s > top - BigInt(WALK_BATCH); s--) candidates.push(s);
    // Checked per batch rather than handed to 16 calls at once (each would add an abort listener).
    signal?.throwIfAborted();
    const found = await Promise.all(candidates.map((s) => readableFactAt(upstream, s)));
    const hit = found.find((f) => f !== undefined);
    if (hit) return parseHeader(hit.header).id;
  }
  // Walked down to serial 1 without a fact: nothing exists at or below `serial`, start from scratch.
  if (serial <= BigInt(MAX_GAP_WALK)) return null;
  throw consoleError(
    `no fact within ${MAX_GAP_WALK} serials at or below ${serial} to start reading after (a long gap of rolled-back publishes): ` +
      `choose a start serial below ${serial - BigInt(MAX_GAP_WALK)}`,
    Code.FailedPrecondition,
  );
}

/**
 * A fact in a namespace the console may not read (PERMISSION_DENIED) cannot give us its id; walk
 * past it. Facts between the one we start after and `serial` are dropped by catchUp itself.
 */
async function readableFactAt(upstream: Upstream, serial: bigint): Promise<WireFact | undefined> {
  try {
    return await fetchBySerial(upstream, serial);
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.PermissionDenied) return undefined;
    throw err;
  }
}
