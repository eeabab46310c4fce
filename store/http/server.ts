// The store's HTTP port (FACTLINE_HTTP_PORT, README "Operating"): Prometheus metrics and health
// checks, on a port of their own so that scrapers and load balancers never touch the gRPC port.
// With an access file every request authenticates like a gRPC call (Basic or Bearer); health needs
// any account, metrics the "operate" role property; FACTLINE_HTTP_OPEN leaves either open.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { OPEN_AUTHENTICATOR, type Authenticator } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import type { HttpOpenable } from "../config";
import { log } from "../log";
import { registry } from "../metrics/registry";
import type { Readiness } from "./readiness";

// A scrape or probe is a short GET: a client that has not sent its headers in 5 s, or a whole
// request in 10 s, is holding a socket for nothing.
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
// Prometheus and load balancers reuse connections; this many open at once is far beyond them and
// bounds what a hostile client can hold.
const MAX_CONNECTIONS = 256;

const ENDPOINTS: Record<string, HttpOpenable> = {
  "/metrics": "metrics",
  "/health/live": "health",
  "/health/ready": "health",
};

export interface HttpServerOptions {
  host: string;
  port: number;
  authenticator: Authenticator;
  /** FACTLINE_HTTP_OPEN: served without credentials although an access file is in force. */
  open: ReadonlySet<HttpOpenable>;
  /** Whether an OIDC issuer is configured (the 401 then offers Bearer too). */
  bearer: boolean;
  readiness: Readiness;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server = http.createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      serve(req, res, options).catch((err: Error) => {
        log.warn("an HTTP request could not be answered", { path: pathOf(req), error: err.message });
        if (!res.headersSent) reply(res, 500, { error: "internal error; see the store's log" });
        else res.destroy();
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `FACTLINE_HTTP_PORT ${options.port} is already in use on ${options.host}; choose another port (0 picks a free one)`
            : `the HTTP port could not be opened on ${options.host}:${options.port}: ${err.message}`,
          { cause: err },
        ),
      );
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections of scrapers would hold close() open until they time out.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, options: HttpServerOptions): Promise<void> {
  // Nothing here reads a request body; whatever a client sends is drained and dropped.
  req.resume();
  const path = pathOf(req);
  const endpoint = ENDPOINTS[path];
  if (!endpoint)
    return reply(res, 404, { error: `no such path; this port serves ${Object.keys(ENDPOINTS).join(", ")}` });
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return reply(res, 405, { error: `${path} answers GET (and HEAD) only` });
  }
  const refusal = await authorize(req, endpoint, options);
  if (refusal) return reply(res, refusal.status, { error: refusal.message }, refusal.headers);

  if (path === "/metrics") {
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : text);
    return;
  }
  if (path === "/health/live") return reply(res, 200, { live: true }, {}, req.method === "HEAD");
  const report = await options.readiness.report();
  return reply(res, report.ready ? 200 : 503, report, {}, req.method === "HEAD");
}

interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** Undefined when the caller may have `endpoint`; otherwise the answer that says why not. */
async function authorize(
  req: http.IncomingMessage,
  endpoint: HttpOpenable,
  options: HttpServerOptions,
): Promise<Refusal | undefined> {
  if (options.authenticator === OPEN_AUTHENTICATOR || options.open.has(endpoint)) return undefined;
  let principal: Principal;
  try {
    principal = await options.authenticator.authenticate(req.headers);
  } catch (err) {
    const error = ConnectError.from(err);
    if (error.code === Code.Unavailable) {
      return { status: 503, message: error.rawMessage, headers: { "retry-after": "1" } };
    }
    const schemes = options.bearer ? 'Basic realm="factline", Bearer' : 'Basic realm="factline"';
    return { status: 401, message: error.rawMessage, headers: { "www-authenticate": schemes } };
  }
  if (endpoint === "metrics" && !principal.mayOperate) {
    return {
      status: 403,
      message: `account "${principal.account}" may not read metrics (a role needs "operate": true, or set FACTLINE_HTTP_OPEN=metrics)`,
    };
  }
  return undefined;
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  headOnly = false,
): void {
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(headOnly ? undefined : text);
}

function pathOf(req: http.IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
