import { DatabaseUnavailableError } from "../errors";

// Which errors from pg mean "the connection to PostgreSQL is gone or cannot be made" (retry later,
// on another connection) rather than "PostgreSQL refused this statement" (the statement's fault).

// Socket-level failures: refused, reset, unreachable, name not resolvable, timed out.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// SQLSTATEs of a server going away or not taking sessions: class 08 (connection exception),
// admin_shutdown (pg_terminate_backend, fast shutdown), crash_shutdown, cannot_connect_now
// (starting up, shutting down, in recovery), database_dropped, idle_session_timeout.
const SERVER_GONE = /^(08...|57P01|57P02|57P03|57P04|57P05)$/;
// Also gone-the-connection: too_many_connections (the server is full right now).
const SERVER_FULL = "53300";

// pg's own messages for a connection that ended or never came up.
const PG_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|the database system is (starting up|shutting down|in recovery mode)|server closed the connection/i;

export function isConnectionLoss(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // Ours, already classified: an instance out of connections is busy, not cut off.
  if (err instanceof DatabaseUnavailableError) return !err.overloaded;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SOCKET_CODES.has(code) || SERVER_GONE.test(code) || code === SERVER_FULL) return true;
    // Any other SQLSTATE is PostgreSQL answering: the connection works.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  if (PG_MESSAGES.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== err && isConnectionLoss(err.cause);
}

/** PostgreSQL cancelled the statement (statement_timeout, or a CancelRequest we sent). */
export function isQueryCancelled(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === "57014";
}
