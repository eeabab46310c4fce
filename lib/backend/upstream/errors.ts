// Upstream failures → errors a browser can show. The console's users did not configure gRPC; they
// need to know whether the store is down, misaddressed or refusing them, and what to change.
import { Code, ConnectError } from "@connectrpc/connect";
import {
  causeCodes,
  databaseUnavailableMetadata,
  isDatabaseUnavailable,
  statusSummary,
  storeMessage,
  tlsFailure,
  transformationFailure,
} from "../../../factcast/errors";
import { log } from "../log";

/** Errors the backend raised on purpose, with a message already meant for the user. */
const ours = new WeakSet<ConnectError>();

/**
 * An error for the browser, passed through unchanged by toConsoleError. (A ConnectError subclass
 * would not do: ConnectError's instanceof accepts any ConnectError, so it cannot tell them apart.)
 */
export function consoleError(message: string, code: Code): ConnectError {
  const err = new ConnectError(message, code);
  ours.add(err);
  return err;
}

/**
 * Why the store at `url` cannot be reached, as a sentence an operator can act on; undefined when
 * `err` is not about reaching the store (e.g. a query the store rejected).
 */
export function unreachableReason(url: string, err: unknown): string | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const tls = tlsFailure(err, url);
  if (tls) return tls;
  const sys = causeCodes(err)[0] ?? "";
  switch (sys) {
    case "ECONNREFUSED":
      return `cannot connect to ${url} (connection refused): is the store running? set FACTLINE_STORE_URL`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the host of ${url} (${sys}): check FACTLINE_STORE_URL`;
    case "ECONNRESET":
    case "EPIPE":
      return `the connection to ${url} was reset: the store may be restarting; retry shortly`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `cannot reach ${url} (${sys}): check the network and FACTLINE_STORE_URL`;
    case "ERR_HTTP2_ERROR":
    case "ERR_HTTP2_SESSION_ERROR":
    case "ERR_HTTP2_STREAM_ERROR":
      return `${url} does not speak gRPC over HTTP/2 (${err.rawMessage}): point FACTLINE_STORE_URL at the store's gRPC port (9090 by default)`;
  }
  if (sys.startsWith("ERR_SSL") || /SSL routines/.test(err.rawMessage)) {
    return `the TLS handshake with ${url} failed: use http:// for a plaintext store and https:// for one with TLS`;
  }
  if (err.code === Code.DeadlineExceeded) {
    return `${url} did not answer in time: the store may be overloaded, or something else listens there (check FACTLINE_STORE_URL)`;
  }
  if (err.code === Code.Unauthenticated) {
    return `the store at ${url} wants credentials: set FACTLINE_STORE_USER and FACTLINE_STORE_PASSWORD for the console`;
  }
  if (err.code === Code.Unavailable) return `${url} is unavailable (${err.rawMessage}): retry shortly`;
  return undefined;
}

/**
 * Any error from serving a console call → the ConnectError the browser gets. Errors we raised
 * ourselves (INVALID_ARGUMENT, NOT_FOUND …) pass through; store trouble becomes UNAVAILABLE
 * "store unreachable: …", or "the store's database is unavailable: …" carrying the store's marker
 * (factcast/errors.ts UNAVAILABLE_REASON_KEY); anything else unexpected is logged here, with
 * context, and INTERNAL.
 */
export function toConsoleError(err: unknown, url: string, rpc: string): ConnectError {
  if (err instanceof ConnectError) {
    if (ours.has(err)) return err;
    if (err.code === Code.Unauthenticated) return new ConnectError(unreachableReason(url, err)!, Code.Unauthenticated);
    // The store answers but PostgreSQL does not: the browser shows that in words and keeps retrying.
    if (isDatabaseUnavailable(err)) {
      return new ConnectError(
        `the store's database is unavailable: ${storeMessage(err)}`,
        Code.Unavailable,
        databaseUnavailableMetadata(),
      );
    }
    const reason = unreachableReason(url, err);
    if (reason) return new ConnectError(`store unreachable: ${reason}`, Code.Unavailable);
    if (err.code === Code.Canceled) return err;
    // A fact asked for in another version that cannot be had: the registry's state, not a fault;
    // asking again gives the same answer until someone registers or fixes a transformation.
    if (transformationFailure(err)) return new ConnectError(statusSummary(err), Code.FailedPrecondition);
    if (err.code === Code.Unknown || err.code === Code.Internal) {
      log.error("store call failed", { rpc, code: Code[err.code], error: storeMessage(err) });
      return new ConnectError(`the store failed: ${storeMessage(err)}`, err.code);
    }
    return new ConnectError(storeMessage(err), err.code, undefined, undefined, err.cause);
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error("console backend failed", { rpc, error: message, stack: err instanceof Error ? err.stack : undefined });
  return new ConnectError(`console backend failed in ${rpc}: ${message}`, Code.Internal);
}
