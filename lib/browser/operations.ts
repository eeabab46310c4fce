/** The store's instances and subscriptions (OperationsService through the console backend). */
import { createConnectQueryKey, useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { SubscriptionOrder, type Subscription } from "../../gen/factline/admin/v1/operations_pb";
import { OperationsService } from "../../gen/factline/console/v1/operations_pb";
import { listSubscriptionsRequest, type SubscriptionsParams } from "../subscriptions-params";
import { unlessRefused } from "./errors";
import { LagHistory } from "./lag-history";

/**
 * Each instance records its subscriptions' figures once per heartbeat (FACTLINE_HEARTBEAT_MS, 2 s by
 * default): polling at that pace shows every beat, faster would show the same figures again.
 * TanStack Query pauses the interval while the tab is hidden (refetchIntervalInBackground is off)
 * and refreshes once when it is shown again, so a forgotten tab costs the store nothing.
 */
export const SUBSCRIPTIONS_POLL_MS = 2_000;
/** Instances change at start and stop; "last seen" and uptime only need to look alive. */
export const INSTANCES_POLL_MS = 5_000;
/** The overview's card: a glance, not a monitor. */
export const OVERVIEW_POLL_MS = 5_000;
/**
 * A store that reports nothing (a plain FactCast server) is asked again now and then, in case it
 * is replaced by a factline store; the page says so meanwhile.
 */
const UNREPORTED_POLL_MS = 30_000;

/** Poll at `ms`, slower against a store that reports nothing, not at all once the store refused. */
function pollEvery(ms: number) {
  const refused = unlessRefused(ms);
  return (query: { state: { error: unknown; data?: { reported: boolean } } }): number | false => {
    if (refused(query) === false) return false;
    return query.state.data && !query.state.data.reported ? UNREPORTED_POLL_MS : ms;
  };
}

const polling = (ms: number) => ({
  refetchInterval: pollEvery(ms),
  refetchIntervalInBackground: false,
  // A refresh is the next beat: older figures stay on screen until it is there.
  placeholderData: keepPreviousData,
  staleTime: ms / 2,
});

export function useSubscriptions(params: SubscriptionsParams) {
  return useQuery(
    OperationsService.method.listSubscriptions,
    listSubscriptionsRequest(params),
    polling(SUBSCRIPTIONS_POLL_MS),
  );
}

/** One subscription by id: listed while it is open, absent once it ended. */
export function useSubscription(id: string) {
  return useQuery(OperationsService.method.listSubscriptions, { id, limit: 1 }, polling(SUBSCRIPTIONS_POLL_MS));
}

/** How many subscriptions the user may see, and the one furthest behind (the overview's card). */
export function useWorstLag() {
  return useQuery(
    OperationsService.method.listSubscriptions,
    { orderBy: SubscriptionOrder.LAG, limit: 1 },
    polling(OVERVIEW_POLL_MS),
  );
}

export function useInstances() {
  return useQuery(OperationsService.method.listInstances, {}, polling(INSTANCES_POLL_MS));
}

/** Ends a subscription; the lists are asked again at once, so it disappears without waiting a beat. */
export function useEndSubscription() {
  const queryClient = useQueryClient();
  return useMutation(OperationsService.method.endSubscription, {
    onSettled: () =>
      queryClient.invalidateQueries({
        queryKey: createConnectQueryKey({ schema: OperationsService, cardinality: undefined }),
      }),
  });
}

/**
 * The lag samples of the subscriptions on screen, kept by this tab (lib/browser/lag-history.ts).
 * Recording is idempotent per heartbeat, so it may run while rendering; the tab's storage is
 * written after.
 */
export function useLagHistory(subscriptions: Subscription[] | undefined): (id: string) => number[] {
  const [history] = useState(() => LagHistory.load(typeof window === "undefined" ? undefined : window.sessionStorage));
  useMemo(() => {
    for (const s of subscriptions ?? []) history.record(s.id, Number(s.updatedMs), Number(s.lagFacts));
  }, [history, subscriptions]);
  useEffect(() => history.save(), [history, subscriptions]);
  return (id) => history.samples(id);
}
