// Failures of the store's own making: the cause (SQL, a PostgreSQL message, a stack) goes to the log
// under a fresh error id, and the caller gets only that id to quote, never the text: it can name
// tables, queries and code paths an attacker should not learn.
import { randomBytes } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Log } from "../log";

/** Logs `err` with a new error id at error level and returns the INTERNAL status the caller sees. */
export function internalError(err: unknown, rpc: string, log: Log): ConnectError {
  const errorId = randomBytes(6).toString("hex");
  const cause = err instanceof Error ? err : new Error(String(err));
  log.error("request failed", { rpc, errorId, error: cause.message, stack: cause.stack });
  return new ConnectError(
    `internal error in ${rpc} (error id ${errorId}); the store logged its cause under this id: quote it when you report this`,
    Code.Internal,
  );
}
