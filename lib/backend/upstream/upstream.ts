// The console backend's one connection to the store: FactCast's RemoteFactStore plus factline's
// admin services, over gRPC (h2c or TLS) at FACTLINE_STORE_URL. Server-only: it holds the upstream
// credentials, which must never reach the browser.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CatalogService, FactQueryService } from "../../../gen/factline/admin/v1/admin_pb";
import { SchemaRegistryService } from "../../../gen/factline/admin/v1/schemas_pb";
import { RemoteFactStore } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { Capabilities } from "./capabilities";

export const DEFAULT_STORE_URL = "http://127.0.0.1:9090";
/** The store logs and counts clients by this `fc-id` (FactCast metadata). */
export const CONSOLE_CLIENT_ID = "factline-console";

/**
 * A unary call that outlives this is answered with "store unreachable" rather than leaving a page
 * spinning; FactCast's own client gives its handshake the same 10 s.
 */
export const UNARY_TIMEOUT_MS = 10_000;

export interface Upstream {
  /** The store's URL as shown to users: never with credentials. */
  readonly url: string;
  readonly factStore: Client<typeof RemoteFactStore>;
  readonly catalog: Client<typeof CatalogService>;
  readonly factQuery: Client<typeof FactQueryService>;
  /** factline's schema registry (admin services); UNIMPLEMENTED on a plain FactCast server. */
  readonly registry: Client<typeof SchemaRegistryService>;
  /** What this store can do (admin services or not), cached briefly. */
  readonly capabilities: Capabilities;
}

export interface UpstreamOptions {
  /** Defaults to FACTLINE_STORE_URL, then DEFAULT_STORE_URL. */
  url?: string;
  /** Basic credentials; default FACTLINE_STORE_USER / FACTLINE_STORE_PASSWORD. */
  user?: string;
  password?: string;
  /**
   * Tests pass an in-memory transport (createRouterTransport, with `upstreamInterceptors` for the
   * metadata); `url` is then only a label and the credentials options are unused.
   */
  transport?: Transport;
}

/** Builds an upstream; tests inject a transport, the app uses `sharedUpstream()`. */
export function createUpstream(options: UpstreamOptions = {}): Upstream {
  const raw = options.url ?? (process.env.FACTLINE_STORE_URL || DEFAULT_STORE_URL);
  const url = displayUrl(raw);
  // Credentials written into the URL (http://user:pw@host) count too, unless set explicitly.
  const inUrl = urlCredentials(raw);
  const user = options.user ?? (process.env.FACTLINE_STORE_USER || inUrl?.user);
  const password = options.password ?? (process.env.FACTLINE_STORE_PASSWORD || inUrl?.password);
  const transport =
    options.transport ??
    createGrpcTransport({
      baseUrl: url,
      interceptors: upstreamInterceptors(user, password),
      // Unused HTTP/2 sessions close after a while so a restarted store is re-dialled cleanly.
      idleConnectionTimeoutMs: 60_000,
    });
  const factQuery = createClient(FactQueryService, transport);
  return {
    url,
    factStore: createClient(RemoteFactStore, transport),
    catalog: createClient(CatalogService, transport),
    factQuery,
    registry: createClient(SchemaRegistryService, transport),
    capabilities: new Capabilities(factQuery),
  };
}

let shared: Upstream | undefined;

/**
 * The process-wide upstream. A module-level singleton is allowed here (and only here): one HTTP/2
 * session to the store serves every browser request, and the capability cache is shared.
 */
export function sharedUpstream(): Upstream {
  shared ??= createUpstream();
  return shared;
}

/** Credentials in the URL would leak into status pages and logs; keep them out of the label. */
function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return raw;
  }
}

function urlCredentials(raw: string): { user: string; password: string } | undefined {
  try {
    const u = new URL(raw);
    return u.username ? { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The metadata every upstream call carries: `fc-id`, and Basic credentials when configured.
 * Exported so tests can put the same interceptors on an in-memory transport.
 */
export function upstreamInterceptors(user: string | undefined, password: string | undefined): Interceptor[] {
  return [identify(CONSOLE_CLIENT_ID), ...(user ? [basicAuth(user, password ?? "")] : [])];
}

function identify(clientId: string): Interceptor {
  return (next) => (req) => {
    req.header.set("fc-id", clientId);
    return next(req);
  };
}

function basicAuth(user: string, password: string): Interceptor {
  const value = `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
  return (next) => (req) => {
    req.header.set("authorization", value);
    return next(req);
  };
}
