import type http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { expectedError, type CallAbort } from "./call-abort";
import type { CallLimits } from "./call";
import { inSlice } from "./slices";

// The same stall ends many calls at once (a burst of streams opened together and left waiting): one
// error for all that stalled after the same bytes, as a ConnectError (and its metadata Headers) cost
// more than the rest of the ending (1.3 s of the 7.7 s 10,000 stalled streams took to end at a load
// of 15, profiled).
let lastStall: ConnectError | undefined;

/**
 * A call's request body as it arrives, its bytes taken from the body budget (store/grpc/limits.ts)
 * until the request is decoded. Ends the call when the body grows past the request limit, stops
 * arriving for limits.bodyStallMs, or the call is aborted (its client gone, its deadline passed).
 *
 * A class rather than closures: one is made for every stream, and thousands may open at once (the
 * store runs under tsx, whose esbuild output names every named closure with a property write —
 * ~10 per stream were 6 % of the CPU spent opening 10,000 streams, profiled).
 */
export class RequestBody {
  private held = 0;
  private size = 0;
  private chunks: Buffer[] = [];
  private stalled?: NodeJS.Timeout;
  private settle?: { resolve(body: Buffer): void; reject(err: unknown): void };
  private readonly onData = this.data.bind(this);
  private readonly onEnd = this.end.bind(this);
  private readonly onStall = this.stall.bind(this);
  /** The body's size when its stall timer fired: a byte arriving before the ending runs cancels it. */
  private sizeAtStall = -1;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly limits: CallLimits,
    private readonly abort: CallAbort,
  ) {}

  /** The whole body, or the error that ended the call while it arrived. */
  read(): Promise<Buffer> {
    if (this.abort.aborted) return Promise.reject(this.abort.reason);
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      // Stalls falling due together end in slices (store/grpc/slices.ts), not in one timers phase.
      this.stalled = setTimeout(() => {
        this.sizeAtStall = this.size;
        inSlice(this.sessionOf(), this.onStall);
      }, this.limits.bodyStallMs);
      this.stream.on("data", this.onData);
      this.stream.on("end", this.onEnd);
      // The client going away aborts the call (store/grpc/call.ts), which ends the read here.
      this.abort.onAbort = (reason) => this.fail(reason);
    });
  }

  /** Takes `bytes` more from the budget for this call, or throws RESOURCE_EXHAUSTED. */
  hold(bytes: number): void {
    const refusal = this.limits.budget.take(this.sessionOf(), bytes);
    if (refusal !== undefined) throw new ConnectError(refusal, Code.ResourceExhausted);
    this.held += bytes;
  }

  /** Gives back what the call holds (its request decoded, or the call over). */
  release(): void {
    if (this.held === 0) return;
    this.limits.budget.give(this.sessionOf(), this.held);
    this.held = 0;
  }

  private sessionOf(): object {
    return this.stream.session ?? this.stream;
  }

  private data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limits.maxRequestBytes) {
      this.fail(
        new ConnectError(
          `the request is larger than ${this.limits.maxRequestBytes} bytes; publish fewer or smaller facts per call`,
          Code.ResourceExhausted,
        ),
      );
      return;
    }
    try {
      this.hold(chunk.length);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.chunks.push(chunk);
    this.stalled?.refresh();
  }

  private end(): void {
    const { chunks, size } = this;
    const settle = this.cleanup();
    settle?.resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  }

  private stall(): void {
    // Ended meanwhile, or bytes came after the timer fired (data() re-armed it).
    if (this.settle === undefined || this.size !== this.sizeAtStall) return;
    const message = `the request stopped arriving: no bytes for ${this.limits.bodyStallMs / 1000} s after ${this.size}; the call was ended`;
    if (lastStall?.rawMessage !== message)
      lastStall = expectedError(() => new ConnectError(message, Code.DeadlineExceeded)) as ConnectError;
    this.fail(lastStall);
  }

  private fail(err: unknown): void {
    const settle = this.cleanup();
    settle?.reject(err);
  }

  private cleanup(): RequestBody["settle"] {
    const settle = this.settle;
    this.settle = undefined;
    clearTimeout(this.stalled);
    this.stream.off("data", this.onData);
    this.stream.off("end", this.onEnd);
    this.abort.onAbort = undefined;
    this.chunks = [];
    return settle;
  }
}
