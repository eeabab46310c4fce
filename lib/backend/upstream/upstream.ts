// The console backend's one connection to the store at FACTLINE_STORE_URL: the shared FactCast
// client (factcast/client.ts) plus the capability cache. Server-only: it holds the upstream
// credentials, which must never reach the browser.
import type { Transport } from "@connectrpc/connect";
import {
  checkStoreUrl,
  createStoreClient,
  DEFAULT_STORE_URL,
  StoreTargetError,
  type StoreClient,
  type StoreCredentials,
} from "../../../factcast/client";
import { log } from "../log";
import { Capabilities } from "./capabilities";

export { DEFAULT_STORE_URL };
/** The store logs and counts clients by this `fc-id` (FactCast metadata). */
export const CONSOLE_CLIENT_ID = "factline-console";

/**
 * A unary call that outlives this is answered with "store unreachable" rather than leaving a page
 * spinning; FactCast's own client gives its handshake the same 10 s.
 */
export const UNARY_TIMEOUT_MS = 10_000;

export interface Upstream extends StoreClient {
  /** What this store can do (admin services or not), cached briefly. */
  readonly capabilities: Capabilities;
  /** The signed-in account the calls are made as; undefined for the console's own (FACTLINE_CONSOLE_AUTH=none). */
  readonly user?: string;
}

export interface UpstreamOptions {
  /** Defaults to FACTLINE_STORE_URL, then DEFAULT_STORE_URL. */
  url?: string;
  /** Basic credentials; default FACTLINE_STORE_USER / FACTLINE_STORE_PASSWORD, then the URL's. */
  user?: string;
  password?: string;
  /** PEM file of the CA of an https:// store's certificate; default FACTLINE_TLS_CA. */
  ca?: string;
  /**
   * Tests pass an in-memory transport (createRouterTransport); `url` is then only a label, and only
   * the credentials given here count (not the environment's), so a test never depends on it.
   */
  transport?: Transport;
}

/** Builds an upstream; tests inject a transport, the app uses `sharedUpstream()`. */
export function createUpstream(options: UpstreamOptions = {}): Upstream {
  const env: Record<string, string | undefined> = options.transport ? {} : process.env;
  let url = options.url ?? (process.env.FACTLINE_STORE_URL || DEFAULT_STORE_URL);
  try {
    url = checkStoreUrl(url);
  } catch (err) {
    // scripts/console.ts checks the URL before it starts Next.js; this names the setting otherwise.
    throw err instanceof StoreTargetError ? new StoreTargetError(`FACTLINE_STORE_URL ${err.message}`) : err;
  }
  const client = createStoreClient({
    url,
    user: options.user ?? (env.FACTLINE_STORE_USER || undefined),
    password: options.password ?? (env.FACTLINE_STORE_PASSWORD || undefined),
    clientId: CONSOLE_CLIENT_ID,
    ca: options.ca ?? (env.FACTLINE_TLS_CA || undefined),
    transport: options.transport,
    // Once per process, into the console's log: the operator, not the browser user, can fix it.
    warn: (message) => log.warn(message),
  });
  return { ...client, capabilities: new Capabilities(client.query) };
}

/**
 * The same store over the same connection, as a signed-in user: their credentials (Basic, or
 * their OIDC access token) on every call, their address in x-forwarded-for for the store's audit
 * trail. The capability cache stays the store's (capabilities.ts).
 */
export function asUser(upstream: Upstream, user: string, credentials: StoreCredentials, address?: string): Upstream {
  const client = upstream.withCredentials(credentials, address ? { "x-forwarded-for": address } : undefined);
  return { ...client, capabilities: upstream.capabilities.probingWith(client.query), user };
}

/** The same store over the same connection without any credentials: only an open store answers. */
export function anonymous(upstream: Upstream): Upstream {
  const client = upstream.withCredentials(undefined);
  return { ...client, capabilities: upstream.capabilities.probingWith(client.query) };
}

let shared: Upstream | undefined;

/**
 * The process-wide upstream. A module-level singleton is allowed here (and only here): one HTTP/2
 * session to the store serves every browser request, and the capability cache is shared. Signed-in
 * users call through it with their own credentials (asUser); its own, FACTLINE_STORE_USER, serve
 * only FACTLINE_CONSOLE_AUTH=none.
 */
export function sharedUpstream(): Upstream {
  shared ??= createUpstream();
  return shared;
}
