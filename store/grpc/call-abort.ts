import { createContextKey } from "@connectrpc/connect";

/**
 * A call's cancellation, with its AbortSignal made only when something needs one. An AbortController
 * and its signal (an EventTarget, its listener map, abort's event) cost several µs of the main thread
 * each: profiled during 10,000 streams opened at once (tests/security/abuse.int.spec.ts), making and
 * aborting them for every stream was ~15 % of the store's CPU, though a call that is refused or stalls
 * before its request arrives never gives a handler the signal. Until then, an abort is a field and a
 * callback for the body's reader.
 */
export class CallAbort implements CallCancellation {
  private controller?: AbortController;
  private early?: { reason: unknown };
  private listeners?: Array<(reason: unknown) => void>;
  /** Told when the call is aborted while its body is read (store/grpc/call.ts, readBody). */
  onAbort?: (reason: unknown) => void;

  /** The call's signal, made now if it was not; aborted already when the call was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.early) this.controller.abort(this.early.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller ? this.controller.signal.aborted : this.early !== undefined;
  }

  get reason(): unknown {
    return this.controller ? this.controller.signal.reason : this.early?.reason;
  }

  /** Calls `listener` once when the call is aborted, without making a signal; returns its removal. */
  onCancel(listener: (reason: unknown) => void): () => void {
    const listeners = (this.listeners ??= []);
    listeners.push(listener);
    return () => {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    };
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    if (this.controller) this.controller.abort(reason);
    else this.early = { reason };
    this.onAbort?.(reason);
    if (this.listeners) for (const listener of this.listeners.splice(0)) listener(reason);
  }
}

/**
 * A call's cancellation for handlers that only need to hear of it (a publish waiting for its group
 * commit): a listener on the call itself instead of an AbortSignal, whose AbortController, event
 * target and listener bookkeeping were ~3 % of the store's main thread per single-fact publish
 * (docs/performance.md, "Single-fact publishes against the floor"). `ctx.signal` still works.
 */
export interface CallCancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  onCancel(listener: (reason: unknown) => void): () => void;
}

export const CALL_CANCELLATION = createContextKey<CallCancellation | undefined>(undefined, {
  description: "the call's cancellation, without an AbortSignal",
});

/**
 * A ConnectError for an outcome the store expects (a stalled body, a client gone, a refusal), made
 * without a stack trace: capturing one costs more than the rest of answering the call, and thousands
 * of calls may end this way at once. Its place in the code says nothing a caller or operator needs.
 */
export function expectedError(make: () => Error): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
