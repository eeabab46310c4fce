/** The store the console talks to: identity, reachability, latest serial, unavailable features. */
import { useQuery } from "@connectrpc/connect-query";
import { storeStatusQuery } from "./queries";

/** The header shows the latest serial and reachability on every page; ten seconds keeps it current. */
const STATUS_POLL_MS = 10_000;

export function useStoreStatus() {
  const q = storeStatusQuery();
  return useQuery(q.method, q.input, { refetchInterval: STATUS_POLL_MS, staleTime: 5_000 });
}
