/** The store the console talks to: identity, reachability, latest serial, unavailable features. */
import { useQuery, useTransport } from "@connectrpc/connect-query";
import { createConnectQueryKey } from "@connectrpc/connect-query-core";
import { useQueryClient, type Query } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { GetStoreStatusResponse } from "../../gen/factline/console/v1/console_pb";
import { storeStatusQuery } from "./queries";
import { shouldRetry } from "./query-client";

/** The header shows the latest serial and reachability on every page; ten seconds keeps it current. */
const STATUS_POLL_MS = 10_000;
/**
 * While the store or its database is down the status is asked this often instead: pages notice the
 * recovery within two seconds, and an outage costs each open tab one small request per interval.
 */
const OUTAGE_POLL_MS = 2_000;

/** What the header says about the store, in one word. */
export type StoreHealth = "pending" | "up" | "unreachable" | "database-unavailable";

/**
 * The store's health from the status query: its answer, or the query's own failure (the console's
 * backend does not answer, which the browser cannot tell from the store being down).
 */
export function storeHealth(status: {
  data?: GetStoreStatusResponse;
  isError: boolean;
  isPending: boolean;
}): StoreHealth {
  if (status.isPending) return "pending";
  if (status.isError || !status.data) return "unreachable";
  if (status.data.reachable) return "up";
  return status.data.databaseUnavailable ? "database-unavailable" : "unreachable";
}

export function useStoreStatus() {
  const q = storeStatusQuery();
  return useQuery(q.method, q.input, {
    refetchInterval: (query) =>
      query.state.status === "success" && query.state.data?.reachable ? STATUS_POLL_MS : OUTAGE_POLL_MS,
    staleTime: 5_000,
  });
}

/**
 * Pages recover from an outage by themselves: once the store (and its database) answers again after
 * the status saw it down, every query on screen that failed meanwhile is fetched again — no reload,
 * no "Try again". A page's query failing for a transient reason asks for the status at once, so an
 * outage shorter than the status poll is noticed too. Mounted once per page (the header's indicator).
 */
export function useRecoveryAfterOutage(): StoreHealth {
  const queryClient = useQueryClient();
  const transport = useTransport();
  const status = useStoreStatus();
  const health = storeHealth(status);
  const sawOutage = useRef(false);
  const { refetch } = status;

  useEffect(() => {
    const q = storeStatusQuery();
    const statusKey = createConnectQueryKey({ schema: q.method, input: q.input, transport, cardinality: "finite" });
    const isStatus = (query: Query) => queryClient.getQueryCache().find({ queryKey: statusKey, exact: true }) === query;
    return queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== "updated" || event.action.type !== "error" || isStatus(event.query)) return;
      if (shouldRetry(0, event.action.error)) void refetch();
    });
  }, [queryClient, transport, refetch]);

  useEffect(() => {
    if (health === "unreachable" || health === "database-unavailable") {
      sawOutage.current = true;
    } else if (health === "up" && sawOutage.current) {
      sawOutage.current = false;
      void queryClient.refetchQueries({ type: "active", predicate: (query) => query.state.status === "error" });
    }
  }, [health, queryClient]);

  return health;
}
