// WatchFacts: a FactCast follow subscription upstream, coalesced into batches for the browser.
// The browser reconnects with the last serial (and id) it showed, so a dropped connection — to the
// browser or to the store — loses and repeats nothing.
import { Code } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type WatchFactsRequest, type WatchFactsResponseSchema } from "../../../gen/factline/console/v1/console_pb";
import { MSG_Notification_Type, type MSG_Notification } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { startingAfterId } from "./catchup";
import { consoleError } from "../upstream/errors";
import { notificationFacts } from "../../../factcast/notifications";
import { subscriptionRequest } from "../../../factcast/spec";
import { fetchBySerial, latestSerial, toFactCastSpecs } from "../upstream/factcast";
import { lastSerialBefore } from "./range";
import { readableScope } from "../upstream/readable";
import { parseHeader, PAYLOAD_PREVIEW_BYTES, reshapeWireFact } from "./reshape";
import type { Upstream } from "../upstream/upstream";
import { validateWatchRequest } from "./validate";

type WatchEvent = MessageInitShape<typeof WatchFactsResponseSchema>;

// Facts are held this long before going out together: a browser that renders on a 100–200 ms beat
// gains nothing from more frequent messages, and 1,000 facts/s become ~10 messages/s instead of ~1,000.
export const BATCH_WINDOW_MS = 100;
// A batch never grows beyond this many facts (about 1 MB with 1 KB previews), however fast facts come.
const MAX_BATCH = 1_000;
// Facts waiting for the browser beyond this stop the upstream read, so a slow browser pushes back on
// the store (which then re-reads from its log) instead of filling this process's memory.
const MAX_QUEUED = 5_000;
// A quiet stream still says "alive" this often; proxies and the browser's staleness check rely on it.
export const HEARTBEAT_MS = 10_000;

/**
 * Where the upstream subscription starts (the request is validated: one start at most). From now
 * is an ephemeral subscription (FactCast skips the catch-up); every other start is a normal one
 * with `startingAfter`, or without it for the beginning of the log.
 */
async function startOf(
  upstream: Upstream,
  req: WatchFactsRequest,
  signal: AbortSignal,
): Promise<{ startingAfter: string | null; ephemeral: boolean }> {
  if (req.fromBeginning) return { startingAfter: null, ephemeral: false };
  if (req.afterId !== "") return { startingAfter: req.afterId.toLowerCase(), ephemeral: false };
  let after: bigint | undefined;
  if (req.afterSerial > 0n) after = req.afterSerial;
  else if (req.fromDate !== "") after = await lastSerialBefore(upstream, req.fromDate);
  if (after === undefined) return { startingAfter: null, ephemeral: true };
  const start = await startingAfterId(upstream, after, signal);
  if (start !== "end") return { startingAfter: start, ephemeral: false };
  // Nothing after `after` exists yet: follow from the newest fact on.
  const newest = await fetchBySerial(upstream, await latestSerial(upstream));
  return newest
    ? { startingAfter: parseHeader(newest.header).id, ephemeral: false }
    : { startingAfter: null, ephemeral: false };
}

export async function* watchFacts(
  upstream: Upstream,
  req: WatchFactsRequest,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent> {
  validateWatchRequest(req);
  // Before anything else, so a user who may read no namespace is told so at once.
  const { filters } = await readableScope(upstream, req.filters, signal);
  // Read before subscribing: every fact up to here is either delivered before the catch-up ends or
  // (from now) deliberately skipped, so "caught up to `floor`" is safe to resume after. Reading it
  // when the catch-up ends instead would count facts published meanwhile — still on their way —
  // and a client resuming after that number would lose them.
  const floor = await latestSerial(upstream);
  const { startingAfter, ephemeral } = await startOf(upstream, req, signal);
  const request = subscriptionRequest({
    specs: toFactCastSpecs(filters),
    continuous: true,
    ephemeral,
    startingAfter,
    debugInfo: "factline-console live",
    pid: `${process.pid}@factline-console`,
  });
  const abort = new AbortController();
  const stop = () => abort.abort(signal.reason);
  signal.addEventListener("abort", stop, { once: true });
  const queue = new NotificationQueue();
  const pump = (async () => {
    try {
      for await (const note of upstream.facts.subscribe(request, { signal: abort.signal })) {
        await queue.push(note);
      }
      queue.fail(consoleError("the store ended the live subscription", Code.Unavailable));
    } catch (err) {
      queue.fail(err);
    }
  })();
  try {
    let latest = 0n;
    for (;;) {
      const batch = await queue.take(HEARTBEAT_MS);
      if (batch.length === 0) {
        yield { event: { case: "heartbeat", value: { latestSerial: latest } } };
        continue;
      }
      let facts: ReturnType<typeof reshapeWireFact>[] = [];
      for (const note of batch) {
        if (note.type === MSG_Notification_Type.Facts || note.type === MSG_Notification_Type.Fact) {
          for (const f of notificationFacts(note))
            facts.push(reshapeWireFact({ header: f.header, payload: f.payload }, PAYLOAD_PREVIEW_BYTES));
          if (facts.length >= MAX_BATCH) {
            latest = facts[facts.length - 1].serial;
            yield { event: { case: "facts", value: { facts } } };
            facts = [];
          }
        } else if (note.type === MSG_Notification_Type.Catchup) {
          if (facts.length > 0) {
            latest = facts[facts.length - 1].serial;
            yield { event: { case: "facts", value: { facts } } };
            facts = [];
          }
          yield { event: { case: "caughtUp", value: { latestSerial: latest > floor ? latest : floor } } };
        }
      }
      if (facts.length > 0) {
        latest = facts[facts.length - 1].serial;
        yield { event: { case: "facts", value: { facts } } };
      }
    }
  } finally {
    signal.removeEventListener("abort", stop);
    abort.abort();
    queue.close();
    await pump;
  }
}

/**
 * Notifications from the upstream, taken in windows: `take` waits for the first one (or the
 * heartbeat timeout), then BATCH_WINDOW_MS more, and returns all that came. `push` waits while the
 * queue is full, which stops reading the upstream.
 */
class NotificationQueue {
  private items: MSG_Notification[] = [];
  private error: unknown;
  private closed = false;
  private wakeTaker?: () => void;
  private wakePusher?: () => void;

  async push(note: MSG_Notification): Promise<void> {
    while (this.items.length >= MAX_QUEUED && !this.closed) await new Promise<void>((r) => (this.wakePusher = r));
    if (this.closed) return;
    this.items.push(note);
    this.wakeTaker?.();
  }

  fail(err: unknown): void {
    this.error ??= err;
    this.wakeTaker?.();
  }

  close(): void {
    this.closed = true;
    this.wakePusher?.();
    this.wakeTaker?.();
  }

  async take(timeoutMs: number): Promise<MSG_Notification[]> {
    if (this.items.length === 0 && this.error === undefined) await this.wait(timeoutMs);
    if (this.items.length > 0 && this.error === undefined) await this.wait(BATCH_WINDOW_MS, true);
    if (this.items.length === 0 && this.error !== undefined) throw this.error;
    const items = this.items;
    this.items = [];
    this.wakePusher?.();
    return items;
  }

  private wait(ms: number, fullWindow = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeTaker = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // During the batch window only an error or a full batch cuts the wait short.
      this.wakeTaker = fullWindow ? () => (this.error !== undefined || this.items.length >= MAX_BATCH) && done() : done;
    });
  }
}
