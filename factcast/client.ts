// The one way factline's clients (CLI, console backend, demo, tests) reach a store: FactCast's
// RemoteFactStore and factline's admin services over gRPC, h2c for http:// and TLS for https://,
// with Basic credentials, the `fc-id` header and HTTP/2 pings that notice a dead connection.
import { readFileSync } from "node:fs";
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { CatalogService, FactQueryService } from "../gen/factline/admin/v1/admin_pb";
import { SchemaRegistryService } from "../gen/factline/admin/v1/schemas_pb";
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

export interface StoreClientOptions {
  /** http://host:port (h2c) or https://host:port (TLS); user:password@ in it count as credentials. */
  url: string;
  /** Basic credentials; take precedence over any in the URL. */
  user?: string;
  password?: string;
  /** Sent as `fc-id`; a FactCast server writes it into every published fact as meta.source. */
  clientId?: string;
  /** A PEM file of the CA(s) to trust for https:// besides the system's (a private CA). */
  ca?: string;
  /** Compress requests with gzip, as a Java client does once the handshake offered it. */
  gzip?: boolean;
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
  /** Closes the HTTP/2 connection (and every call on it) so the process can exit. */
  close(): void;
}

/** A store address or TLS file the user gave that cannot work; the message says what to fix. */
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
      options.ca === undefined ? undefined : { ca: readCa(options.ca, url) },
    );
    transport = createGrpcTransport({
      baseUrl: label,
      sessionManager: sessions,
      interceptors: storeInterceptors({
        user: options.user ?? inUrl?.user,
        password: options.password ?? inUrl?.password,
        clientId: options.clientId,
      }),
      // compressMinBytes 0: connect leaves messages under 1 KiB uncompressed by default, and a Java
      // client compresses every one.
      ...(options.gzip ? { sendCompression: compressionGzip, compressMinBytes: 0 } : {}),
    });
  }
  return {
    url: label,
    facts: createClient(RemoteFactStore, transport),
    catalog: createClient(CatalogService, transport),
    query: createClient(FactQueryService, transport),
    registry: createClient(SchemaRegistryService, transport),
    close: () => sessions?.abort(),
  };
}

function readCa(file: string, url: URL): Buffer {
  if (url.protocol !== "https:") {
    throw new StoreTargetError(`a CA certificate (${file}) is for https:// stores; ${url.origin} is plaintext`);
  }
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new StoreTargetError(`cannot read the CA certificate file ${file} (${code})`);
  }
}

/**
 * The metadata every call carries: `fc-id`, and Basic credentials when a user is given. Exported
 * so tests can put the very same interceptors on an in-memory transport.
 */
export function storeInterceptors(who: { user?: string; password?: string; clientId?: string }): Interceptor[] {
  const authorization =
    who.user === undefined || who.user === ""
      ? undefined
      : `Basic ${Buffer.from(`${who.user}:${who.password ?? ""}`, "utf8").toString("base64")}`;
  return [
    (next) => (req) => {
      if (who.clientId) req.header.set("fc-id", who.clientId);
      if (authorization) req.header.set("authorization", authorization);
      return next(req);
    },
  ];
}
