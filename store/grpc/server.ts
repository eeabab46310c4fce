import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Authenticator } from "../auth/authenticate";
import { log } from "../log";
import { serveCall } from "./call";
import { GrpcRoutes } from "./service";

// Publishing a batch of large facts must fit in one request; FactCast clients cap their own
// messages at 32 MiB, so accept a little more than that and no more.
const MAX_REQUEST_BYTES = 40 * 1024 * 1024;
// In-flight unary calls get this long to finish on shutdown before their connections are cut.
const DRAIN_MS = 3_000;
// HTTP/2's default 64 KiB receive windows make a 500 KB publish wait for several window updates;
// 1 MiB per stream (what grpc-java advertises) and 16 MiB per connection let it arrive in one go.
// Memory is bounded by maxSessionMemory below, not by these.
const STREAM_WINDOW_BYTES = 1024 * 1024;
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

export interface GrpcServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves gRPC over plaintext HTTP/2 (h2c) on one port, directly on node:http2: a general-purpose
 * RPC framework costs ~1.5 ms of CPU per call here, ten times the work of a small publish.
 * Tracks sessions itself: http2.Server.close() only stops accepting connections, and a client's
 * open session would keep receiving traffic from a store that is going away.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  routes: (routes: GrpcRoutes) => void;
  authenticator: Authenticator;
}): Promise<GrpcServer> {
  const routes = new GrpcRoutes();
  options.routes(routes);
  const server = http2.createServer({ maxSessionMemory: 64, settings: { initialWindowSize: STREAM_WINDOW_BYTES } });
  server.on("stream", (stream, headers) => {
    // A client vanishing mid-call is routine; serveCall sees the stream close.
    stream.on("error", () => {});
    serveCall(stream, headers, routes, {
      maxRequestBytes: MAX_REQUEST_BYTES,
      authenticator: options.authenticator,
    }).catch((err: Error) => {
      // Only writing to a stream that vanished mid-answer gets here; the store itself carries on.
      log.warn("a gRPC call could not be answered", { path: headers[":path"], error: err.message });
      stream.destroy();
    });
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
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
