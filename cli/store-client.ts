// The one place that talks to the store: transport (h2c or TLS, Basic auth, dead-connection
// detection), the clients for FactCast's RemoteFactStore and factline's admin services, and the
// translation of transport and status errors into the CLI's exit codes.
import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { CatalogService, FactQueryService } from "../gen/factline/admin/v1/admin_pb";
import { SchemaRegistryService } from "../gen/factline/admin/v1/schemas_pb";
import { RemoteFactStore } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { CliError, rejectedError, unreachableError, usageError } from "./errors";

export const DEFAULT_STORE_URL = "http://127.0.0.1:9090";

/** FactCast clients give the handshake 10 s; a store that is up answers in milliseconds. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * A follow can sit idle for hours; without pings a silently dropped connection (laptop sleep, NAT
 * timeout) would leave it waiting forever. 30 s keeps the traffic negligible.
 */
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 15_000;

export interface StoreTarget {
  url: string;
  user?: string;
  password?: string;
  /** Sent as `fc-id`; a FactCast server writes it into every published fact as meta.source. */
  clientId?: string;
}

export interface StoreConnection {
  readonly url: string;
  readonly facts: Client<typeof RemoteFactStore>;
  /** factline only: a plain FactCast server answers UNIMPLEMENTED (see isUnimplemented). */
  readonly catalog: Client<typeof CatalogService>;
  readonly query: Client<typeof FactQueryService>;
  /** factline only, like catalog: the schema registry (cli/schema/registry.ts words UNIMPLEMENTED). */
  readonly registry: Client<typeof SchemaRegistryService>;
  /** Closes the HTTP/2 connection so the process can exit. */
  close(): void;
}

export interface ServerInfo {
  version: { major: number; minor: number; patch: number };
  properties: Record<string, string>;
}

/** Checks --store early, so a typo is a usage error (exit 1) rather than an unreachable store. */
export function checkStoreUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--store must be a URL like ${DEFAULT_STORE_URL}, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`--store must start with http:// (plaintext gRPC) or https:// (TLS), got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

/** `transport` replaces the network, for tests (createRouterTransport). */
export function openStore(target: StoreTarget, transport?: Transport): StoreConnection {
  const url = checkStoreUrl(target.url);
  let sessions: Http2SessionManager | undefined;
  if (!transport) {
    sessions = new Http2SessionManager(url, { pingIntervalMs: PING_INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS });
    transport = createGrpcTransport({ baseUrl: url, sessionManager: sessions, interceptors: [headers(target)] });
  }
  return {
    url,
    facts: createClient(RemoteFactStore, transport),
    catalog: createClient(CatalogService, transport),
    query: createClient(FactQueryService, transport),
    registry: createClient(SchemaRegistryService, transport),
    close: () => sessions?.abort(),
  };
}

function headers(target: StoreTarget): Interceptor {
  const authorization =
    target.user === undefined
      ? undefined
      : `Basic ${Buffer.from(`${target.user}:${target.password ?? ""}`).toString("base64")}`;
  return (next) => (req) => {
    if (authorization) req.header.set("authorization", authorization);
    if (target.clientId) req.header.set("fc-id", target.clientId);
    return next(req);
  };
}

/**
 * The first call, as every FactCast client makes it: proves the address speaks FactCast within a
 * bounded time (a dead host would otherwise hang until the OS gives up), and names the server.
 */
export async function handshake(store: StoreConnection, signal?: AbortSignal): Promise<ServerInfo> {
  try {
    const res = await store.facts.handshake({}, { timeoutMs: HANDSHAKE_TIMEOUT_MS, signal });
    const version = res.version ?? { major: 0, minor: 0, patch: 0 };
    return {
      version: { major: version.major, minor: version.minor, patch: version.patch },
      properties: res.properties?.property ?? {},
    };
  } catch (err) {
    if (signal?.aborted) throw err; // interrupted, not a store problem
    const e = ConnectError.from(err);
    if (e.code === Code.Unauthenticated || e.code === Code.PermissionDenied) throw storeError(e, store.url);
    if (e.code === Code.DeadlineExceeded) {
      throw unreachableError(
        `the store at ${store.url} did not answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s; is it running? use --store or FACTLINE_STORE_URL`,
      );
    }
    if (e.code !== Code.Unavailable) {
      throw unreachableError(
        `${store.url} does not answer as a FactCast store (${describeStatus(e)}); use --store or FACTLINE_STORE_URL`,
      );
    }
    throw storeError(e, store.url);
  }
}

/** The server is a FactCast server without factline's admin services (or an older factline). */
export function isUnimplemented(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unimplemented;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  EPROTO: "TLS handshake failed",
};

/**
 * Maps any failure of a store call to a one-line CliError: network trouble → 3 (unreachable),
 * a status the store chose → 2 (rejected). Errors that are already CliErrors pass through.
 */
export function storeError(err: unknown, url: string): CliError {
  if (err instanceof CliError) return err;
  const e = ConnectError.from(err);
  const networkCode = causeCode(e);
  if (networkCode) {
    const reason = NETWORK_REASONS[networkCode] ?? networkCode;
    return unreachableError(
      `cannot reach the store at ${url} (${reason}); is it running? use --store or FACTLINE_STORE_URL`,
    );
  }
  switch (e.code) {
    case Code.Unavailable:
      return unreachableError(`the store at ${url} is unavailable: ${oneLine(e.rawMessage)}`);
    case Code.DeadlineExceeded:
      return unreachableError(`the store at ${url} did not answer in time: ${oneLine(e.rawMessage)}`);
    case Code.Unauthenticated:
      return rejectedError(
        `the store at ${url} wants credentials: use --user/--password or FACTLINE_STORE_USER/FACTLINE_STORE_PASSWORD`,
      );
    case Code.PermissionDenied:
      return rejectedError(`the store refused access: ${oneLine(e.rawMessage)}`);
    case Code.Canceled:
      // Our own cancellations (Ctrl-C) never get here (main.ts checks first): the peer reset the stream.
      return unreachableError(`lost the connection to the store at ${url}`);
    default:
      return rejectedError(`the store rejected the request: ${describeStatus(e)}`);
  }
}

/** FactCast puts the Java exception in `exc-bin` and its message in `msg-bin`; show the message. */
function describeStatus(e: ConnectError): string {
  const name = Code[e.code]?.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() ?? String(e.code);
  const exception = binaryTrailer(e, "exc-bin");
  const message = binaryTrailer(e, "msg-bin") ?? e.rawMessage;
  const kind = exception ? exception.slice(exception.lastIndexOf(".") + 1) : name;
  return `${kind}: ${oneLine(message)}`;
}

function binaryTrailer(e: ConnectError, key: string): string | undefined {
  const value = e.metadata.get(key);
  if (value == null) return undefined;
  try {
    return Buffer.from(value, "base64").toString("utf8");
  } catch {
    return undefined;
  }
}

function causeCode(e: ConnectError): string | undefined {
  let cause: unknown = e.cause;
  for (let depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && code in NETWORK_REASONS) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Multi-line store messages (FactCast lists validation errors one per line) joined with "; ". */
function oneLine(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, "; ");
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
