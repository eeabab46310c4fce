/**
 * The /subscriptions page's view in the URL: its filters and its order, checked here (every error
 * names its parameter) and turned into the store's ListSubscriptions request. Pure, so the page and
 * its tests agree on every name and rule.
 *
 * | name       | form                                                             | meaning                          |
 * |------------|------------------------------------------------------------------|----------------------------------|
 * | `sort`     | `lag` `lagTime` `started` `client` `account` `delivered` `rate` `position` | the order (default `lag`) |
 * | `dir`      | `desc` \| `asc`                                                  | default `desc`: furthest behind, newest, most first |
 * | `instance` | instance id (UUID)                                               | subscriptions of one instance    |
 * | `account`  | account, exact                                                   | whose subscriptions              |
 * | `client`   | fc-id, exact                                                     | one client's subscriptions       |
 * | `ns`       | namespace                                                        | subscriptions reading it (a spec over every namespace, `*`, reads it too) |
 * | `mode`     | `catchup` \| `follow` \| `ephemeral`                             | one mode                         |
 * | `limit`    | 1 to 1000                                                        | rows shown (default 200)         |
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  SubscriptionMode,
  SubscriptionOrder,
  type ListSubscriptionsRequestSchema,
} from "../gen/factline/admin/v1/operations_pb";
import { canonicalUuid } from "../factcast/uuid";
import type { ParamError } from "./query-params";

export const SUBSCRIPTIONS_PARAM = {
  sort: "sort",
  dir: "dir",
  instance: "instance",
  account: "account",
  client: "client",
  ns: "ns",
  mode: "mode",
  limit: "limit",
} as const;

export const SORTS = {
  lag: SubscriptionOrder.LAG,
  lagTime: SubscriptionOrder.LAG_TIME,
  started: SubscriptionOrder.STARTED,
  client: SubscriptionOrder.CLIENT,
  account: SubscriptionOrder.ACCOUNT,
  delivered: SubscriptionOrder.DELIVERED,
  rate: SubscriptionOrder.RATE,
  position: SubscriptionOrder.POSITION,
} as const;
export type SortKey = keyof typeof SORTS;

export const MODES = {
  catchup: SubscriptionMode.CATCHUP,
  follow: SubscriptionMode.FOLLOW,
  ephemeral: SubscriptionMode.EPHEMERAL,
} as const;
export type ModeKey = keyof typeof MODES;

/**
 * Rows on one screen: every row re-renders with each refresh (its lag and sparkline move), so a
 * few hundred keep a refresh cheap; the store caps a page at 1,000 (its whole page is built in memory).
 */
export const DEFAULT_SUBSCRIPTIONS_LIMIT = 200;
export const MAX_SUBSCRIPTIONS_LIMIT = 1_000;
/** Names and fc-ids are short; anything longer is not one, and would only bloat the URL. */
const MAX_TEXT = 200;

export interface SubscriptionFilters {
  instance: string;
  account: string;
  client: string;
  ns: string;
  mode: ModeKey | "";
}

export interface SubscriptionsParams {
  filters: SubscriptionFilters;
  sort: SortKey;
  dir: "asc" | "desc";
  limit: number;
}

export type SubscriptionsParseResult = { ok: true; params: SubscriptionsParams } | { ok: false; errors: ParamError[] };

export const EMPTY_FILTERS: SubscriptionFilters = { instance: "", account: "", client: "", ns: "", mode: "" };

export function defaultSubscriptionsParams(): SubscriptionsParams {
  return { filters: { ...EMPTY_FILTERS }, sort: "lag", dir: "desc", limit: DEFAULT_SUBSCRIPTIONS_LIMIT };
}

const isKey = <T extends object>(table: T, key: string): key is Extract<keyof T, string> =>
  Object.prototype.hasOwnProperty.call(table, key);

/** Reads and checks the URL's parameters; every error names its parameter and says what to write. */
export function parseSubscriptionsSearchParams(search: URLSearchParams | string): SubscriptionsParseResult {
  const sp = typeof search === "string" ? new URLSearchParams(search) : search;
  const errors: ParamError[] = [];
  const one = (name: string): string => {
    const values = sp
      .getAll(name)
      .map((v) => v.trim())
      .filter((v) => v !== "");
    if (values.length > 1) errors.push({ param: name, message: `${name} is given ${values.length} times: keep one` });
    return values[0] ?? "";
  };
  const text = (name: string, what: string): string => {
    const value = one(name);
    if (value.length > MAX_TEXT) {
      errors.push({
        param: name,
        message: `${name} is ${value.length} characters long: ${what} has at most ${MAX_TEXT}`,
      });
      return "";
    }
    if (/\p{Cc}/u.test(value)) {
      errors.push({ param: name, message: `${name} holds control characters: ${what} is one line of text` });
      return "";
    }
    return value;
  };

  const params = defaultSubscriptionsParams();
  const sort = one(SUBSCRIPTIONS_PARAM.sort);
  if (sort !== "") {
    if (isKey(SORTS, sort)) params.sort = sort;
    else
      errors.push({
        param: SUBSCRIPTIONS_PARAM.sort,
        message: `sort "${sort}" is unknown: use one of ${Object.keys(SORTS).join(", ")}`,
      });
  }
  const dir = one(SUBSCRIPTIONS_PARAM.dir);
  if (dir === "asc" || dir === "desc") params.dir = dir;
  else if (dir !== "")
    errors.push({ param: SUBSCRIPTIONS_PARAM.dir, message: `dir "${dir}" is unknown: use asc or desc` });

  const instance = one(SUBSCRIPTIONS_PARAM.instance);
  if (instance !== "") {
    const id = canonicalUuid(instance);
    if (id) params.filters.instance = id;
    else
      errors.push({
        param: SUBSCRIPTIONS_PARAM.instance,
        message: `instance "${instance.slice(0, 60)}" is not an instance id: use the UUID /instances shows`,
      });
  }
  params.filters.account = text(SUBSCRIPTIONS_PARAM.account, "an account");
  params.filters.client = text(SUBSCRIPTIONS_PARAM.client, "a client id (fc-id)");
  params.filters.ns = text(SUBSCRIPTIONS_PARAM.ns, "a namespace");
  const mode = one(SUBSCRIPTIONS_PARAM.mode);
  if (mode !== "") {
    if (isKey(MODES, mode)) params.filters.mode = mode;
    else
      errors.push({
        param: SUBSCRIPTIONS_PARAM.mode,
        message: `mode "${mode}" is unknown: use catchup, follow or ephemeral`,
      });
  }
  const limit = one(SUBSCRIPTIONS_PARAM.limit);
  if (limit !== "") {
    const n = /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (n >= 1 && n <= MAX_SUBSCRIPTIONS_LIMIT) params.limit = n;
    else
      errors.push({
        param: SUBSCRIPTIONS_PARAM.limit,
        message: `limit "${limit}" is out of range: show 1 to ${MAX_SUBSCRIPTIONS_LIMIT} subscriptions`,
      });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params };
}

/** The URL's query for a view, canonical (defaults left out), so equal views give equal URLs. */
export function toSubscriptionsSearchParams(params: SubscriptionsParams): URLSearchParams {
  const sp = new URLSearchParams();
  for (const name of ["instance", "account", "client", "ns", "mode"] as const) {
    const value = params.filters[name].trim();
    if (value) sp.set(name, value);
  }
  if (params.sort !== "lag") sp.set(SUBSCRIPTIONS_PARAM.sort, params.sort);
  if (params.dir !== "desc") sp.set(SUBSCRIPTIONS_PARAM.dir, params.dir);
  if (params.limit !== DEFAULT_SUBSCRIPTIONS_LIMIT) sp.set(SUBSCRIPTIONS_PARAM.limit, String(params.limit));
  return sp;
}

/** /subscriptions for a view given in part (the rest default). */
export function subscriptionsHref(
  partial: { filters?: Partial<SubscriptionFilters> } & Partial<Omit<SubscriptionsParams, "filters">> = {},
): string {
  const base = defaultSubscriptionsParams();
  const qs = toSubscriptionsSearchParams({
    ...base,
    ...partial,
    filters: { ...base.filters, ...partial.filters },
  }).toString();
  return qs ? `/subscriptions?${qs}` : "/subscriptions";
}

export function subscriptionHref(id: string): string {
  return `/subscriptions/${encodeURIComponent(id)}`;
}

/** The store's request for a view. */
export function listSubscriptionsRequest(
  params: SubscriptionsParams,
): MessageInitShape<typeof ListSubscriptionsRequestSchema> {
  const f = params.filters;
  return {
    instanceId: f.instance,
    account: f.account,
    clientId: f.client,
    ns: f.ns,
    mode: f.mode ? MODES[f.mode] : SubscriptionMode.UNSPECIFIED,
    orderBy: SORTS[params.sort],
    ascending: params.dir === "asc",
    limit: params.limit,
  };
}

/** Whether any filter narrows the list. */
export function isFiltered(filters: SubscriptionFilters): boolean {
  return Object.values(filters).some((v) => v !== "");
}
