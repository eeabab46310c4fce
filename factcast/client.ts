// The one way factline's clients (CLI, console backend, demo, tests) reach a store: FactCast's
// RemoteFactStore and factline's admin services over gRPC, h2c for http:// and TLS for https://,
// with Basic credentials or a bearer token, the `fc-id` header and HTTP/2 pings that notice a dead
// connection. Credentials belong to a client, not to the connection, so one HTTP/2 session can
// carry calls for many users (withCredentials).
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { AccessService } from "../gen/factline/admin/v1/access_pb";
import { CatalogService, FactQueryService } from "../gen/factline/admin/v1/admin_pb";
import { AuditService } from "../gen/factline/admin/v1/audit_pb";
import { OperationsService } from "../gen/factline/admin/v1/operations_pb";
import { SchemaRegistryService } from "../gen/factline/admin/v1/schemas_pb";
import { TransformationService } from "../gen/factline/admin/v1/transformations_pb";
import { RemoteFactStore } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";

/** Where a store listens when nobody says otherwise (README "Configuration"). */
export const DEFAULT_STORE_URL = "http://127.0.0.1:9090";

/**
 * A follow or a live view can sit idle for hours; without pings a silently dropped connection
 * (laptop sleep, NAT timeout) would leave it waiting forever. 30 s keeps the traffic negligible,
 * and a ping unanswered for 15 s ends the connection and its calls with UNAVAILABLE.
 */
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 15_000;
/** A connection without calls closes after this, so a restarted store is re-dialled cleanly. */
const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

/** Who the calls are made as: a store account (HTTP Basic) or an OIDC access token (Bearer). */
export type StoreCredentials = { user: string; password?: string } | { token: string };

export interface StoreClientOptions {
  /** http://host:port (h2c) or https://host:port (TLS); user:password@ in it count as credentials. */
  url: string;
  /** Basic credentials; take precedence over any in the URL. */
  user?: string;
  password?: string;
  /** A bearer token instead of Basic credentials. */
  token?: string;
  /** Sent as `fc-id`; a FactCast server writes it into every published fact as meta.source. */
  clientId?: string;
  /** A PEM file of the CA(s) to trust for https://, besides the system's (a private CA). */
  ca?: string;
  /** Compress requests with gzip, as a Java client does once the handshake offered it. */
  gzip?: boolean;
  /**
   * Told once per client (its withCredentials copies included) when credentials are about to
   * cross the network in plaintext: http:// to a host that is not loopback.
   */
  warn?: (message: string) => void;
  /** Replaces the network (createRouterTransport) in tests; then `url` is only a label. */
  transport?: Transport;
}

export interface StoreClient {
  /** The store's URL as shown to users: never with credentials. */
  readonly url: string;
  readonly facts: Client<typeof RemoteFactStore>;
  /** factline's admin services: a plain FactCast server answers UNIMPLEMENTED (isUnimplemented). */
  readonly catalog: Client<typeof CatalogService>;
  readonly query: Client<typeof FactQueryService>;
  readonly registry: Client<typeof SchemaRegistryService>;
  /** What the caller may do, and the console's sign-ins (factline only). */
  readonly access: Client<typeof AccessService>;
  /** The audit trail, for accounts with the audit permission (factline only). */
  readonly audit: Client<typeof AuditService>;
  readonly transformations: Client<typeof TransformationService>;
  /** The store's instances and subscriptions, ending a subscription (factline only). */
  readonly operations: Client<typeof OperationsService>;
  /**
   * The same store over the same connection, calling as someone else (a signed-in user): cheap
   * enough to make per request. Its close() leaves the connection to the client it came from.
   * `headers` go with every call besides, e.g. x-forwarded-for naming the user's own address.
   */
  withCredentials(credentials: StoreCredentials | undefined, headers?: Record<string, string>): StoreClient;
  /** Closes the HTTP/2 connection (and every call on it) so the process can exit. */
  close(): void;
}

/** A store address, credential or TLS file the user gave that cannot work; the message says what to fix. */
export class StoreTargetError extends Error {
  override name = "StoreTargetError";
}

/**
 * Checks a store URL before anything dials it, so a typo is reported as such instead of as an
 * unreachable store. Returns it without trailing slashes. Messages read after the name of the
 * setting, e.g. `--store must be a URL like …`.
 */
export function checkStoreUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StoreTargetError(`must be a URL like ${DEFAULT_STORE_URL}, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StoreTargetError(`must start with http:// (plaintext gRPC) or https:// (TLS), got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

/** Opens nothing yet: the connection is made by the first call and re-made after a failure. */
export function createStoreClient(options: StoreClientOptions): StoreClient {
  const url = new URL(checkStoreUrl(options.url));
  const inUrl = url.username
    ? { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
    : undefined;
  url.username = "";
  url.password = "";
  const label = url.toString().replace(/\/+$/, "");
  let sessions: Http2SessionManager | undefined;
  let transport = options.transport;
  if (!transport) {
    sessions = new Http2SessionManager(
      label,
      {
        pingIntervalMs: PING_INTERVAL_MS,
        pingTimeoutMs: PING_TIMEOUT_MS,
        idleConnectionTimeoutMs: IDLE_CONNECTION_TIMEOUT_MS,
      },
      options.ca === undefined ? undefined : { ca: [...rootCertificates, readCa(options.ca, url)] },
    );
    transport = createGrpcTransport({
      baseUrl: label,
      sessionManager: sessions,
      // compressMinBytes 0: connect leaves messages under 1 KiB uncompressed by default, and a Java
      // client compresses every one.
      ...(options.gzip ? { sendCompression: compressionGzip, compressMinBytes: 0 } : {}),
    });
  }
  const connection = transport;
  let warned = false;
  const clientFor = (
    credentials: StoreCredentials | undefined,
    owner: boolean,
    extra: Record<string, string> = {},
  ): StoreClient => {
    const headers = callHeaders(credentials, options.clientId);
    if (!warned && options.warn && headers.some(([name]) => name === "authorization")) {
      const exposure = plaintextExposure(url);
      if (exposure) {
        warned = true;
        options.warn(exposure);
      }
    }
    const calls = withHeaders(connection, [...headers, ...Object.entries(extra)]);
    return {
      url: label,
      facts: createClient(RemoteFactStore, calls),
      catalog: createClient(CatalogService, calls),
      query: createClient(FactQueryService, calls),
      registry: createClient(SchemaRegistryService, calls),
      access: createClient(AccessService, calls),
      audit: createClient(AuditService, calls),
      transformations: createClient(TransformationService, calls),
      operations: createClient(OperationsService, calls),
      withCredentials: (other, headers) => clientFor(other, false, headers),
      close: owner ? () => sessions?.abort() : () => {},
    };
  };
  return clientFor(credentialsOf(options, inUrl), true);
}

function credentialsOf(options: StoreClientOptions, inUrl: StoreCredentials | undefined): StoreCredentials | undefined {
  const user = options.user || undefined;
  if (options.token !== undefined && user !== undefined) {
    throw new StoreTargetError("give either a user and password or a bearer token, not both");
  }
  if (options.token !== undefined) return { token: options.token };
  if (user !== undefined) return { user, password: options.password };
  return inUrl;
}

/** RFC 6750's b64token: what a bearer token may contain and an HTTP header can carry. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The headers every call of a client carries: `fc-id` and the credentials, if any. */
function callHeaders(credentials: StoreCredentials | undefined, clientId: string | undefined): [string, string][] {
  const headers: [string, string][] = clientId ? [["fc-id", clientId]] : [];
  if (credentials && "token" in credentials) {
    if (!BEARER_TOKEN.test(credentials.token)) {
      throw new StoreTargetError("a bearer token may contain only letters, digits and -._~+/ (RFC 6750)");
    }
    headers.push(["authorization", `Bearer ${credentials.token}`]);
  } else if (credentials && credentials.user !== "") {
    // HTTP Basic separates user and password by the first colon: a user name cannot hold one.
    if (credentials.user.includes(":")) throw new StoreTargetError(`a user name cannot contain ":" (HTTP Basic)`);
    const pair = Buffer.from(`${credentials.user}:${credentials.password ?? ""}`, "utf8").toString("base64");
    headers.push(["authorization", `Basic ${pair}`]);
  }
  return headers;
}

/**
 * A transport that adds `fixed` to every call's headers unless the call set them itself (a call
 * may carry its own caller's credentials). Wrapping the transport rather than adding interceptors
 * lets clients with different credentials share one connection, and works on any transport,
 * in-memory ones in tests included.
 */
function withHeaders(transport: Transport, fixed: [string, string][]): Transport {
  if (fixed.length === 0) return transport;
  const merged = (init: HeadersInit | undefined) => {
    const headers = new Headers(init);
    for (const [name, value] of fixed) if (!headers.has(name)) headers.set(name, value);
    return headers;
  };
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs, merged(header), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs, merged(header), input, contextValues),
  };
}

/**
 * Why credentials sent to `url` could be read on the way, or undefined: h2c to a host other than
 * loopback sends every call's Basic password or bearer token as plain text.
 */
export function plaintextExposure(url: URL): string | undefined {
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname)) return undefined;
  return (
    `credentials for ${url.origin} go over plaintext HTTP/2 (http://): anyone on the network path can read them; ` +
    "serve the store with TLS (FACTLINE_TLS_CERT and FACTLINE_TLS_KEY) and connect with https://"
  );
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return host === "::1" || host === "0:0:0:0:0:0:0:1";
}

/** Checks a CA file for `url` before anything dials it (the console checks FACTLINE_TLS_CA at start). */
export function checkCaFile(file: string, url: string): void {
  readCa(file, new URL(checkStoreUrl(url)));
}

function readCa(file: string, url: URL): string {
  if (url.protocol !== "https:") {
    throw new StoreTargetError(`a CA certificate (${file}) is for https:// stores; ${url.origin} is plaintext`);
  }
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new StoreTargetError(`cannot read the CA certificate file ${file} (${code})`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new StoreTargetError(
      `the CA certificate file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return pem;
}
