/** The store-wide publish rate for the overview (GetStoreRate; the backend samples latestSerial). */
import { useQuery } from "@connectrpc/connect-query";
import { ConsoleService } from "../../gen/factline/console/v1/console_pb";

/**
 * Polled, not streamed (lib/backend/rpc/store-rate.ts says why): each poll holds a connection for a few
 * milliseconds. Every 2 s moves the figure visibly while costing the backend nothing it does not
 * already do (it samples once a second for all tabs together). A hidden overview stops polling
 * (TanStack Query's default), and the backend stops sampling 30 s after the last poll.
 */
export const RATE_POLL_MS = 2_000;

export function useStoreRate() {
  return useQuery(ConsoleService.method.getStoreRate, {}, { refetchInterval: RATE_POLL_MS, staleTime: 0 });
}
