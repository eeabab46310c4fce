/**
 * The QueryClient and its retry policy. Retrying only helps when the failure is transient: a
 * store that is restarting (UNAVAILABLE) or a dropped connection. A bad query, an unknown serial or
 * a refused credential will fail the same way again, so those surface at once.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { QueryClient } from "@tanstack/react-query";

/** Codes worth another try: the same request may well succeed a moment later. */
const TRANSIENT = new Set<Code>([
  Code.Unavailable,
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.ResourceExhausted,
]);
/** Three tries after the first keeps a store restart (a few seconds) from showing as an error. */
const MAX_RETRIES = 3;
/** Doubling from half a second, capped, so a down store is not hammered by every open tab. */
const FIRST_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 4_000;

/** Whether a failed query should be tried again (exported for the unit test of the policy). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  return TRANSIENT.has(ConnectError.from(error).code);
}

export function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
}

export function createConsoleQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        // Catalog and status change while facts arrive; ten seconds keeps tab switches cheap
        // without showing stale counts for long. Fact pages override this (facts never change).
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}
