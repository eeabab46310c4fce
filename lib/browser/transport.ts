/**
 * The browser's way to the console backend: Connect over fetch to /api/ (app/api/[...connect]).
 * Binary protobuf rather than JSON: payloads travel as text fields, and a 5 MB JSON payload would
 * otherwise be escaped a second time and grow with every quote it contains.
 *
 * The connection budget. `next start` serves HTTP/1.1, and browsers open at most ~6 connections
 * per site, shared by every console tab; a request beyond them waits. So the console holds a
 * connection open for long in one place only:
 * - a live view (WatchFacts, server streaming): one per /live tab, given back when the tab has been
 *   hidden for 30 s (lib/browser/live-stream.ts, HIDDEN_RELEASE_MS) and on Stop or leaving the page;
 * - everything else is unary and short: the header's status every 10 s, the overview's catalog
 *   every 15 s and its store-wide rate every 2 s (polled, not streamed — lib/backend/rpc/store-rate.ts),
 *   page queries on demand. Hidden tabs stop polling.
 * So visible live views are the only standing cost: with five of them open side by side the rest
 * of the console still has a connection; a sixth visible one would make other requests wait until
 * a view is stopped, closed or hidden for 30 s. Background tabs (the usual case) cost nothing.
 * Behind an HTTP/2 proxy (TLS) all requests share one connection and the limit disappears.
 */
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { addStaticKeyToTransport } from "@connectrpc/connect-query-core";
import { createConnectTransport } from "@connectrpc/connect-web";

/** Where app/api/[...connect]/route.ts serves ConsoleService. */
export const API_BASE_URL = "/api";

/**
 * The transport's part of every query key. connect-query would otherwise number transport
 * objects per JavaScript realm ("t1", "t2" …), so the server, which prefills the browser's cache
 * for a page's first view (lib/backend/routes/prefetch.ts), could not name the keys the browser looks up.
 */
export const CONSOLE_TRANSPORT_KEY = "console-api";

/** Set on the backend's refusal of a signed-out call (lib/backend/auth/request.ts): where to sign in. */
export const SIGN_IN_HEADER = "x-factline-sign-in";

/**
 * A session that ended while a page was open (signed out in another tab, idle, the console
 * restarted): the next call is refused, and the whole tab goes to the sign-in page, which brings
 * the user back here afterwards.
 */
export const toSignInWhenSignedOut: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    const e = ConnectError.from(err);
    if (e.code === Code.Unauthenticated && e.metadata.get(SIGN_IN_HEADER) && typeof window !== "undefined") {
      const here = window.location.pathname + window.location.search;
      window.location.assign(`/login?next=${encodeURIComponent(here)}`);
    }
    throw err;
  }
};

export function createConsoleTransport(): Transport {
  return addStaticKeyToTransport(
    createConnectTransport({ baseUrl: API_BASE_URL, useBinaryFormat: true, interceptors: [toSignInWhenSignedOut] }),
    CONSOLE_TRANSPORT_KEY,
  );
}
