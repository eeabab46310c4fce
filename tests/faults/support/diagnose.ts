/**
 * What a fault test says when followers fall short: for each follower, where it stands from its own
 * side of the stream (store instance, catch-up or live, last serial, how long since its last fact
 * and keepalive) beside the store's own view of the same subscription (OperationsService, matched
 * by the follower's fc-id) and each instance's live tail, plus the end of each store's log. A stall
 * and a merely slow follower look different here: a stalled one has a stale last fact while its
 * instance's tail has moved on.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { OperationsService, SubscriptionMode } from "../../../gen/factline/admin/v1/operations_pb.js";
import { serialOf } from "../../support/facts.js";
import type { StoreOnCluster } from "./setup.js";
import type { Follower } from "./workload.js";

/** The store's view is asked for with this deadline: a failure report must not hang on a sick store. */
const VIEW_TIMEOUT_MS = 5_000;
/** Log lines of each store kept in a failure report: the recent warnings, not the whole run. */
const LOG_LINES = 40;

/**
 * Waits until every follower has every acknowledged fact; otherwise fails with one report covering
 * every follower that fell short (not only the first), the store's view and the stores' logs.
 */
export async function waitForEvery(
  followers: Follower[],
  acknowledged: string[],
  timeoutMs: number,
  stores: Record<string, StoreOnCluster>,
): Promise<void> {
  const results = await Promise.allSettled(followers.map((f) => f.waitFor(acknowledged, timeoutMs)));
  const short = followers.filter((_, i) => results[i].status === "rejected");
  if (short.length === 0) return;
  const report = await describeFollowers(short, acknowledged, stores);
  throw new Error(`${short.length} of ${followers.length} followers fell short:\n${report}`);
}

/** The report itself: followers from both sides, instances, and the end of each store's log. */
export async function describeFollowers(
  followers: Follower[],
  acknowledged: string[],
  stores: Record<string, StoreOnCluster>,
): Promise<string> {
  const now = Date.now();
  const entries = Object.entries(stores);
  const [, first] = entries[0];
  const view = await storeView(entries).catch((error: Error) => ({ error: error.message }));
  const lines: string[] = [];
  for (const f of followers) {
    const s = f.state();
    const have = f.ids();
    const missing = acknowledged.filter((id) => !have.has(id));
    // The store's serial of the first missing fact: a follower stuck on one serial, or a fact the
    // store does not have at all (a lost acknowledged fact, not a stall).
    const firstMissing =
      missing[0] === undefined
        ? "-"
        : await serialOf(first.client, missing[0]).then(
            (ser) => (ser === undefined ? "none (not in the store)" : String(ser)),
            (error: Error) => `unknown (${error.message})`,
          );
    lines.push(
      `- ${s.label} (client side): ${s.mode}, ${s.subscriptions} subscription(s), ends [${s.ends.join(", ")}], ` +
        `${s.facts} facts in ${s.notifications} notifications, last serial ${s.lastSerial ?? "none"}, ` +
        `last fact ${ago(now, s.lastFactAt)}, last notification ${ago(now, s.lastNotificationAt)}, ` +
        `last keepalive ${ago(now, s.lastKeepaliveAt)}; missing ${missing.length}, the first of them ` +
        `(acknowledged #${acknowledged.indexOf(missing[0] ?? "")}) has serial ${firstMissing}`,
    );
    if ("error" in view) continue;
    const subs = view.subscriptions.filter((x) => x.clientId === s.label);
    if (subs.length === 0) lines.push(`  store side: no open subscription with fc-id ${s.label}`);
    for (const x of subs) {
      lines.push(
        `  store side: on ${view.instanceLabel(x.instanceId)}, ${SubscriptionMode[x.mode]}, ` +
          `caught up ${x.caughtUp}, delivered ${x.factsDelivered}, last delivered serial ${x.lastDeliveredSerial}, ` +
          `position ${x.position}, lag ${x.lagFacts} facts / ${x.lagMs} ms, rate ${x.deliveryRate.toFixed(1)}/s, ` +
          `figures ${ago(Number(view.nowMs), Number(x.updatedMs))}`,
      );
    }
  }
  if ("error" in view) lines.push(`store view unavailable: ${view.error}`);
  else {
    lines.push(`head serial ${view.headSerial}`);
    for (const i of view.instances) {
      lines.push(
        `instance ${view.instanceLabel(i.id)}: ready ${i.ready}, tail serial ${i.tailSerial}, ` +
          `${i.subscriptions} subscriptions, last beat ${ago(Number(view.nowMs), Number(i.lastSeenMs))}`,
      );
    }
  }
  for (const [label, s] of entries) {
    const log = s.store.output().trimEnd().split("\n").slice(-LOG_LINES).join("\n    ");
    lines.push(`store ${label} log (last ${LOG_LINES} lines):\n    ${log}`);
  }
  return lines.join("\n");
}

async function storeView(stores: Array<[string, StoreOnCluster]>) {
  // Any instance lists every instance's subscriptions (they share the registry); ask the first
  // that answers, so one sick instance does not hide the others' view.
  let lastError: unknown;
  for (const [, s] of stores) {
    const ops: Client<typeof OperationsService> = createClient(
      OperationsService,
      createGrpcTransport({ baseUrl: s.store.url }),
    );
    try {
      const [subscriptions, instances] = await Promise.all([
        ops.listSubscriptions({ limit: 1_000 }, { timeoutMs: VIEW_TIMEOUT_MS }),
        ops.listInstances({}, { timeoutMs: VIEW_TIMEOUT_MS }),
      ]);
      const byAddress = new Map(stores.map(([label, x]) => [new URL(x.store.url).port, label]));
      const labels = new Map(
        instances.instances.map((i) => [i.id, byAddress.get(i.grpcAddress.split(":").at(-1) ?? "") ?? i.id]),
      );
      return {
        subscriptions: subscriptions.subscriptions,
        instances: instances.instances,
        headSerial: instances.headSerial,
        nowMs: instances.nowMs,
        instanceLabel: (id: string) => labels.get(id) ?? id,
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function ago(now: number, at: number | undefined): string {
  return at === undefined || at === 0 ? "never" : `${now - at} ms ago`;
}
