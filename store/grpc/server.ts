import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Authenticator } from "../auth/authenticate";
import { log } from "../log";
import { refuseCall, serveCall } from "./call";
import { BodyBudget, CallSlots, closeWhenIdle, FRONT_DOOR_LIMITS, type FrontDoorLimits } from "./limits";
import { GrpcRoutes } from "./service";
import { inSlice } from "./slices";
import type { TlsCredentials } from "./tls";

// In-flight unary calls get this long to finish on shutdown before their connections are cut.
const DRAIN_MS = 3_000;
// HTTP/2's default 64 KiB receive windows make a 500 KB publish wait for several window updates;
// 1 MiB per stream (what grpc-java advertises) and 16 MiB per connection let it arrive in one go.
// Memory is bounded by maxSessionMemory below, not by these.
const STREAM_WINDOW_BYTES = 1024 * 1024;
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;
// A TLS client gets this long to finish its handshake; one that connects and says nothing would
// otherwise hold its socket for Node's default of two minutes.
const TLS_HANDSHAKE_MS = 10_000;

export interface GrpcServer {
  port: number;
  /** What the front door holds now, against its limits (store/grpc/limits.ts). */
  frontDoor(): { connections: number; calls: number; pendingBodyBytes: number };
  close(): Promise<void>;
}

/**
 * Serves gRPC over HTTP/2 on one port, plaintext (h2c) or TLS (`h2` by ALPN) when `tls` is given,
 * directly on node:http2: a general-purpose RPC framework costs ~1.5 ms of CPU per call here, ten
 * times the work of a small publish.
 * Tracks sessions itself: http2.Server.close() only stops accepting connections, and a client's
 * open session would keep receiving traffic from a store that is going away.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  routes: (routes: GrpcRoutes) => void;
  authenticator: Authenticator;
  /** The front door's limits (store/grpc/limits.ts); tests pass smaller ones. */
  limits?: Partial<FrontDoorLimits>;
  /** Serve TLS (store/grpc/tls.ts checked the files) instead of h2c. */
  tls?: TlsCredentials;
}): Promise<GrpcServer> {
  const routes = new GrpcRoutes();
  options.routes(routes);
  const limits: FrontDoorLimits = { ...FRONT_DOOR_LIMITS, ...options.limits };
  const budget = new BodyBudget(limits.pendingBodyBytes, limits.pendingBodyBytesPerConnection);
  const http2Options = {
    maxSessionMemory: 64,
    settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxConcurrentStreams: limits.maxStreamsPerConnection },
  };
  const server = options.tls
    ? // allowHTTP1 stays off: gRPC needs HTTP/2, and a client that does not negotiate h2 is turned away.
      http2.createSecureServer({
        ...http2Options,
        cert: options.tls.cert,
        key: options.tls.key,
        handshakeTimeout: TLS_HANDSHAKE_MS,
      })
    : http2.createServer(http2Options);
  // Connections past this are closed as they arrive (clients see UNAVAILABLE and retry).
  server.maxConnections = limits.maxConnections;
  const calls = new CallSlots(limits.maxCalls, limits.callsReservedPerConnection);
  const callLimits = {
    maxRequestBytes: limits.maxRequestBytes,
    bodyStallMs: limits.bodyStallMs,
    budget,
    authenticator: options.authenticator,
  };
  server.on("stream", (stream, headers) => {
    // A client vanishing mid-call is routine; serveCall sees the stream close.
    stream.on("error", () => {});
    const session: object = stream.session ?? stream;
    const refusal = calls.take(session);
    if (refusal !== undefined) {
      refuseCall(stream, refusal, limits);
      return;
    }
    stream.once("close", () => calls.give(session));
    // A burst of streams starts in slices (store/grpc/slices.ts); one whose client went away while
    // it waited is not started (its slot came back as it closed).
    inSlice(session, () => {
      if (stream.destroyed) return;
      serveCall(stream, headers, routes, callLimits).catch((err: Error) => {
        // Only writing to a stream that vanished mid-answer gets here; the store itself carries on.
        log.warn("a gRPC call could not be answered", { path: headers[":path"], error: err.message });
        stream.destroy();
      });
    });
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
    closeWhenIdle(session, limits.idleSessionMs);
    session.once("connect", () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    frontDoor: () => ({ connections: sessions.size, calls: calls.held(), pendingBodyBytes: budget.held() }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const deadline = setTimeout(() => {
        for (const session of sessions) session.destroy();
      }, DRAIN_MS);
      await closed;
      clearTimeout(deadline);
    },
  };
}
