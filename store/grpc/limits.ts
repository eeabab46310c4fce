// The front door's limits: what one connection, one call and all pending request bodies together may
// hold, so that no caller can exhaust the store's memory or its connection slots (README "Security",
// "Limits"). The numbers are defaults; tests pass smaller ones to startGrpcServer.
import type http2 from "node:http2";

export interface FrontDoorLimits {
  /** Largest request accepted, on the wire and after decompression. */
  maxRequestBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have open at once. */
  maxStreamsPerConnection: number;
  /** Open connections; one more is closed as it arrives. */
  maxConnections: number;
  /**
   * Calls in progress over all connections; past it a new call is answered UNAVAILABLE at once,
   * unless its connection holds fewer than callsReservedPerConnection.
   */
  maxCalls: number;
  /** Calls every connection may start even when the store is at maxCalls (so a few busy clients cannot lock out the rest). */
  callsReservedPerConnection: number;
  /** A connection with no call for this long is closed (GOAWAY); clients reconnect when they next call. */
  idleSessionMs: number;
  /** A request body with no byte arriving for this long ends its call with DEADLINE_EXCEEDED. */
  bodyStallMs: number;
  /** Request bytes all calls together may hold while their bodies arrive (and while they decompress). */
  pendingBodyBytes: number;
  /** The share of pendingBodyBytes one connection may hold. */
  pendingBodyBytesPerConnection: number;
}

const MiB = 1024 * 1024;

export const FRONT_DOOR_LIMITS: Readonly<FrontDoorLimits> = Object.freeze({
  // Publishing a batch of large facts must fit in one request; FactCast clients cap their own
  // messages at 32 MiB, so accept a little more than that and no more.
  maxRequestBytes: 40 * MiB,
  // A FactCast client puts every subscription of its application on one connection, and the console
  // multiplexes all its users over one; a thousand is far beyond what either needs, and bounds the
  // stream state one connection makes the store keep.
  maxStreamsPerConnection: 1_000,
  // Each connection is an application, a console or a CLI run. A thousand of them bounds sockets and
  // HTTP/2 session state (up to 16 MiB of receive window each); more clients than that want another
  // instance.
  maxConnections: 1_000,
  // An open call costs a few KB of stream state besides what its handler holds (tests/security's
  // abuse test measures it); 10,000 keeps that under ~100 MB while serving more subscriptions than
  // one instance should.
  maxCalls: 10_000,
  // With every connection's reserve in use the store holds at most 10,000 + 1,000 × 16 calls; the
  // reserve is what lets an application or the console keep working while others hold the rest.
  callsReservedPerConnection: 16,
  // A connection that made no call for two minutes is closed, which frees its slot for another
  // client; FactCast's client, connect and the console reconnect by themselves on their next call.
  idleSessionMs: 120_000,
  // A client that sends part of a request and then nothing holds a call slot and the bytes it sent;
  // ten seconds without a byte is far beyond a slow network's pause.
  bodyStallMs: 10_000,
  // Six full-size publishes arriving at once; every other caller keeps publishing while one connection
  // holds its share.
  pendingBodyBytes: 256 * MiB,
  // Two full-size publishes in flight on one connection.
  pendingBodyBytesPerConnection: 2 * 40 * MiB,
});

/** Calls in progress, over all connections and per connection (store/grpc/server.ts takes and gives them). */
export class CallSlots {
  private used = 0;
  private readonly bySession = new WeakMap<object, number>();

  constructor(
    readonly max: number,
    readonly reservedPerConnection: number,
  ) {}

  /** Takes a slot for a new call on `session`; returns a refusal text (nothing taken) past the limit. */
  take(session: object): string | undefined {
    const mine = this.bySession.get(session) ?? 0;
    if (this.used >= this.max && mine >= this.reservedPerConnection) {
      return `the store is serving its limit of ${this.max} calls at once; retry shortly or use another instance`;
    }
    this.used++;
    this.bySession.set(session, mine + 1);
    return undefined;
  }

  give(session: object): void {
    this.used--;
    this.bySession.set(session, (this.bySession.get(session) ?? 1) - 1);
  }

  held(): number {
    return this.used;
  }
}

/**
 * The bytes request bodies hold while they arrive, across all connections and per connection. A call
 * takes its bytes as chunks arrive and gives them back once its request is decoded or refused.
 */
export class BodyBudget {
  private used = 0;
  private readonly bySession = new WeakMap<object, number>();

  constructor(
    readonly total: number,
    readonly perConnection: number,
  ) {}

  /** Takes `bytes` for `session`; returns a refusal text (nothing taken) when a limit would be passed. */
  take(session: object, bytes: number): string | undefined {
    const mine = this.bySession.get(session) ?? 0;
    if (mine + bytes > this.perConnection) {
      return `requests still arriving on this connection hold ${mebibytes(mine)} MiB; this one would pass the connection's limit of ${mebibytes(this.perConnection)} MiB: send fewer large requests at once on one connection`;
    }
    if (this.used + bytes > this.total) {
      return `requests still arriving hold ${mebibytes(this.used)} MiB of the store's memory; this one would pass its limit of ${mebibytes(this.total)} MiB: retry shortly`;
    }
    this.used += bytes;
    this.bySession.set(session, mine + bytes);
    return undefined;
  }

  give(session: object, bytes: number): void {
    if (bytes === 0) return;
    this.used -= bytes;
    this.bySession.set(session, (this.bySession.get(session) ?? bytes) - bytes);
  }

  /** Bytes held now over all connections. */
  held(): number {
    return this.used;
  }
}

function mebibytes(bytes: number): string {
  const value = bytes / MiB;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * Closes `session` once it has had no open stream for `idleMs`. Counts streams, not frames: a client
 * cannot keep an unused connection (and its slot) with PINGs. The close is graceful (GOAWAY; a call
 * the client began meanwhile still finishes); a peer that does not hang up then is cut off.
 */
export function closeWhenIdle(session: http2.ServerHttp2Session, idleMs: number): void {
  let open = 0;
  let closing = false;
  const timer = setTimeout(() => {
    if (open > 0 || session.destroyed) return;
    if (closing) {
      session.destroy();
    } else if (!session.closed) {
      closing = true;
      session.close();
      timer.refresh();
    }
  }, idleMs);
  timer.unref();
  session.on("stream", (stream: http2.ServerHttp2Stream) => {
    open++;
    stream.once("close", () => {
      if (--open === 0) timer.refresh();
    });
  });
  session.once("close", () => clearTimeout(timer));
}
