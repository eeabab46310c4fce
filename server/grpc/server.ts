import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";

type NodeHandlerFn = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;

// Publishing a batch of large facts must fit in one request; FactCast clients cap their own
// messages at 32 MiB, so accept a little more than that and no more.
const MAX_REQUEST_BYTES = 40 * 1024 * 1024;
// In-flight unary calls get this long to finish on shutdown before their connections are cut.
const DRAIN_MS = 3_000;

// gRPC's status for "no such method". A bare HTTP 404 only becomes UNIMPLEMENTED in clients by luck
// (grpc-java: "HTTP status code 404 invalid content-type"); old FactCast clients still call the
// snapshot RPCs that protocol 1.5 removed, and deserve a clear answer.
const GRPC_UNIMPLEMENTED = "12";

const answerUnimplemented: NodeHandlerFn = (req, res) => {
  const method = req.url ?? "";
  res.writeHead(200, {
    "content-type": "application/grpc",
    "grpc-status": GRPC_UNIMPLEMENTED,
    "grpc-message": encodeURIComponent(`factline does not implement ${method}`),
  });
  res.end();
};

export interface GrpcServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves gRPC over plaintext HTTP/2 (h2c) on one port. Tracks sessions itself: http2.Server.close()
 * only stops accepting connections, and a client's open session would keep receiving traffic from
 * a store that is going away.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  routes: (router: ConnectRouter) => void;
}): Promise<GrpcServer> {
  const handler = connectNodeAdapter({
    routes: options.routes,
    grpc: true,
    grpcWeb: false,
    connect: false,
    readMaxBytes: MAX_REQUEST_BYTES,
    acceptCompression: [compressionGzip],
    fallback: answerUnimplemented,
  });
  const server = http2.createServer({ maxSessionMemory: 64 }, handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    // A client vanishing mid-stream is routine; the stream's own handlers clean up.
    session.on("error", () => {});
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
