import { create } from "@bufbuild/protobuf";
import {
  OperationsService,
  SubscriptionMode,
  SubscriptionOrder,
  SubscriptionSchema,
  SubscriptionSpecSchema,
  type Subscription,
} from "../../gen/factline/admin/v1/operations_pb";
import { audited } from "../audit/record";
import { requireOperate } from "../auth/permissions";
import { principalOf, type Principal } from "../auth/principal";
import { InvalidInputError, NotFoundError } from "../errors";
import type { ServiceHandlers } from "../grpc/service";
import { canonicalUuid } from "../../factcast/uuid";
import { listInstances, listSubscriptions, requestEnd, type ListedSubscription } from "../storage/instances";
import { databaseTimeMillis, latestSerial } from "../storage/lookup";
import type { StoreRuntime } from "../store";
import { guarded } from "./errors";

// A page is built in memory whole; 1,000 subscriptions with their specs stay around a megabyte.
const MAX_PAGE = 1_000;
const DEFAULT_PAGE = 500;
// A reason is shown to a client in a status message and kept in the audit trail: a sentence.
const MAX_REASON = 500;

const MODES: Record<string, SubscriptionMode> = {
  catchup: SubscriptionMode.CATCHUP,
  follow: SubscriptionMode.FOLLOW,
  ephemeral: SubscriptionMode.EPHEMERAL,
};

/** Every instance and subscription of the database, and ending a subscription (README "Operating"). */
export function createOperationsService(store: StoreRuntime): ServiceHandlers<typeof OperationsService> {
  const db = store.db.lookups;
  return guarded("OperationsService", {
    async listInstances(_req, ctx) {
      const principal = principalOf(ctx);
      const [instances, subscriptions, head, now] = await Promise.all([
        listInstances(db),
        listSubscriptions(db),
        latestSerial(db),
        databaseTimeMillis(db),
      ]);
      const visible = new Map<string, number>();
      for (const s of subscriptions) {
        if (maySee(principal, s)) visible.set(s.instanceId, (visible.get(s.instanceId) ?? 0) + 1);
      }
      return {
        nowMs: now,
        headSerial: head,
        instances: instances.map((i) => ({
          id: i.id,
          host: i.host,
          pid: i.pid,
          version: i.version,
          grpcAddress: i.grpcAddress,
          httpAddress: i.httpAddress,
          startedMs: BigInt(i.startedMs),
          lastSeenMs: BigInt(i.lastSeenMs),
          heartbeatMs: i.heartbeatMs,
          ready: i.ready,
          tailSerial: i.tailSerial,
          subscriptions: visible.get(i.id) ?? 0,
          answering: i.id === store.instanceId,
        })),
      };
    },

    async listSubscriptions(req, ctx) {
      const principal = principalOf(ctx);
      const limit = req.limit === 0 ? DEFAULT_PAGE : req.limit;
      if (limit < 1 || limit > MAX_PAGE)
        throw new InvalidInputError(`limit must be from 1 to ${MAX_PAGE}, got ${req.limit}`);
      if (req.instanceId && !canonicalUuid(req.instanceId)) {
        throw new InvalidInputError(
          `instance_id must be an instance id (a UUID), got ${JSON.stringify(req.instanceId)}`,
        );
      }
      if (req.id && !canonicalUuid(req.id))
        throw new InvalidInputError(`id must be a subscription id (a UUID), got ${JSON.stringify(req.id)}`);
      if (!(req.orderBy in SubscriptionOrder))
        throw new InvalidInputError(`order_by ${req.orderBy} is not a known order`);
      if (!(req.mode in SubscriptionMode)) throw new InvalidInputError(`mode ${req.mode} is not a known mode`);
      const [rows, head, now] = await Promise.all([listSubscriptions(db), latestSerial(db), databaseTimeMillis(db)]);
      const instanceId = req.instanceId ? canonicalUuid(req.instanceId) : undefined;
      const id = req.id ? canonicalUuid(req.id) : undefined;
      const matching = rows
        .filter((s) => maySee(principal, s))
        .filter(
          (s) =>
            (!id || s.id === id) &&
            (!instanceId || s.instanceId === instanceId) &&
            (!req.account || s.account === req.account) &&
            (!req.clientId || s.clientId === req.clientId) &&
            (!req.ns || s.namespaces.includes(req.ns) || s.namespaces.includes("*")) &&
            (req.mode === SubscriptionMode.UNSPECIFIED || MODES[s.mode] === req.mode),
        )
        .map((s) => toSubscription(s, Number(now)));
      const compare = comparator(req.orderBy);
      matching.sort((a, b) => (req.ascending ? compare(a, b) : compare(b, a)) || a.id.localeCompare(b.id));
      return { subscriptions: matching.slice(0, limit), total: matching.length, headSerial: head, nowMs: now };
    },

    async endSubscription(req, ctx) {
      const principal = principalOf(ctx);
      const id = canonicalUuid(req.id);
      if (!id) throw new InvalidInputError(`id must be a subscription id (a UUID), got ${JSON.stringify(req.id)}`);
      const reason = req.reason.trim();
      if (reason.length > MAX_REASON) {
        throw new InvalidInputError(`reason must be at most ${MAX_REASON} characters, got ${reason.length}`);
      }
      if (/\p{Cc}/u.test(reason))
        throw new InvalidInputError("reason must be one line of text without control characters");
      return audited(
        db,
        ctx,
        { action: "subscription.end", subject: id, reason },
        async () => {
          requireOperate(principal, "end subscriptions");
          const found = await requestEnd(db, { id, by: principal.account, reason, reconnect: req.letReconnect });
          if (!found) {
            throw new NotFoundError(
              `no subscription ${id} is open on a live store instance (it may have ended already)`,
            );
          }
          // Served here: end it now rather than when the notification comes back.
          store.instance.end({ id, by: principal.account, reason, reconnect: req.letReconnect });
          return found;
        },
        (found) => ({
          ns: found.namespaces.length === 1 ? found.namespaces[0] : undefined,
          detail: `client ${found.clientId || "(no fc-id)"} of account ${found.account} on instance ${found.instanceId}; reads ${found.namespaces.join(", ")}${req.letReconnect ? "; it may reconnect" : ""}`,
        }),
      ).then((found) => ({ instanceId: found.instanceId }));
    },
  });
}

/** Like the catalog: a subscription shows only to whoever may read every namespace it reads. */
function maySee(principal: Principal, s: ListedSubscription): boolean {
  return principal.mayOperate || s.namespaces.every((ns) => principal.mayRead(ns));
}

function toSubscription(s: ListedSubscription, nowMs: number): Subscription {
  const lagFacts = s.tailSerial > s.position ? s.tailSerial - s.position : 0n;
  const lagMs = lagFacts > 0n && s.nextWaitingMs > 0 ? Math.max(0, nowMs - s.nextWaitingMs) : 0;
  return create(SubscriptionSchema, {
    id: s.id,
    instanceId: s.instanceId,
    clientId: s.clientId,
    clientAddress: s.clientAddress,
    account: s.account,
    debugInfo: s.debugInfo,
    specs: s.specs.map(toSpec),
    mode: MODES[s.mode] ?? SubscriptionMode.UNSPECIFIED,
    startedMs: BigInt(s.startedMs),
    factsDelivered: s.delivered,
    lastDeliveredSerial: s.lastSerial,
    lastDeliveredMs: BigInt(s.lastDeliveredMs),
    position: s.position,
    caughtUp: s.caughtUp,
    lagFacts,
    lagMs: BigInt(lagMs),
    deliveryRate: s.rate,
    updatedMs: BigInt(s.updatedMs),
    endRequestedBy: s.endRequestedBy ?? "",
  });
}

/** A stored spec (store/facts/spec.ts as JSON) in the wire's typed form; unknown fields are ignored. */
function toSpec(raw: Record<string, unknown>) {
  const strings = (v: unknown) =>
    Object.fromEntries(Object.entries(isObject(v) ? v : {}).filter(([, x]) => typeof x === "string")) as Record<
      string,
      string
    >;
  return create(SubscriptionSpecSchema, {
    ns: typeof raw.ns === "string" ? raw.ns : "",
    type: typeof raw.type === "string" ? raw.type : "",
    version: typeof raw.version === "number" ? raw.version : 0,
    aggIds: Array.isArray(raw.aggIds) ? raw.aggIds.filter((x): x is string => typeof x === "string") : [],
    meta: strings(raw.meta),
    metaKeyExists: Object.fromEntries(
      Object.entries(isObject(raw.metaKeyExists) ? raw.metaKeyExists : {}).filter(([, x]) => typeof x === "boolean"),
    ) as Record<string, boolean>,
    aggIdProperties: strings(raw.aggIdProperties),
    filterScript: typeof raw.filterScript === "string" ? raw.filterScript : "",
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Compare = (a: Subscription, b: Subscription) => number;
const byNumber =
  (key: (s: Subscription) => bigint | number): Compare =>
  (a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  };
const byText =
  (key: (s: Subscription) => string): Compare =>
  (a, b) =>
    key(a).localeCompare(key(b));

function comparator(order: SubscriptionOrder): Compare {
  switch (order) {
    case SubscriptionOrder.LAG_TIME:
      return byNumber((s) => s.lagMs);
    case SubscriptionOrder.STARTED:
      return byNumber((s) => s.startedMs);
    case SubscriptionOrder.CLIENT:
      return byText((s) => s.clientId);
    case SubscriptionOrder.ACCOUNT:
      return byText((s) => s.account);
    case SubscriptionOrder.DELIVERED:
      return byNumber((s) => s.factsDelivered);
    case SubscriptionOrder.RATE:
      return byNumber((s) => s.deliveryRate);
    case SubscriptionOrder.POSITION:
      return byNumber((s) => s.position);
    default:
      return (a, b) => byNumber((s) => s.lagFacts)(a, b) || byNumber((s) => s.lagMs)(a, b);
  }
}
