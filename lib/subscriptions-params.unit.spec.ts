import { describe, expect, it } from "vitest";
import { SubscriptionMode, SubscriptionOrder } from "../gen/factline/admin/v1/operations_pb";
import {
  defaultSubscriptionsParams,
  listSubscriptionsRequest,
  parseSubscriptionsSearchParams,
  subscriptionHref,
  subscriptionsHref,
  toSubscriptionsSearchParams,
} from "./subscriptions-params";

const ID = "1b2c3d4e-0000-4000-8000-00000000abcd";

function errorsOf(search: string) {
  const parsed = parseSubscriptionsSearchParams(search);
  if (parsed.ok) throw new Error(`expected errors for ${search}`);
  return parsed.errors;
}

describe("the /subscriptions URL", () => {
  it("defaults to everything, furthest behind first, 200 rows", () => {
    const parsed = parseSubscriptionsSearchParams("");
    expect(parsed).toEqual({ ok: true, params: defaultSubscriptionsParams() });
    expect(listSubscriptionsRequest(defaultSubscriptionsParams())).toMatchObject({
      orderBy: SubscriptionOrder.LAG,
      ascending: false,
      limit: 200,
      mode: SubscriptionMode.UNSPECIFIED,
    });
  });

  it("reads every filter and order, and writes them back canonically", () => {
    const search = `ns=shop&account=ops&client=orders-projection&mode=follow&instance=${ID.toUpperCase()}&sort=client&dir=asc&limit=50`;
    const parsed = parseSubscriptionsSearchParams(search);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.params.filters).toEqual({
      ns: "shop",
      account: "ops",
      client: "orders-projection",
      mode: "follow",
      instance: ID,
    });
    expect(listSubscriptionsRequest(parsed.params)).toEqual({
      instanceId: ID,
      account: "ops",
      clientId: "orders-projection",
      ns: "shop",
      mode: SubscriptionMode.FOLLOW,
      orderBy: SubscriptionOrder.CLIENT,
      ascending: true,
      limit: 50,
    });
    const again = toSubscriptionsSearchParams(parsed.params).toString();
    expect(parseSubscriptionsSearchParams(again)).toEqual(parsed);
    // Defaults are left out, so equal views give equal URLs.
    expect(subscriptionsHref({ sort: "lag", dir: "desc" })).toBe("/subscriptions");
    expect(subscriptionsHref({ filters: { ns: "a b" } })).toBe("/subscriptions?ns=a+b");
  });

  it("ignores empty values, as a blank form field submits them", () => {
    expect(parseSubscriptionsSearchParams("ns=&mode=&sort=")).toEqual({
      ok: true,
      params: defaultSubscriptionsParams(),
    });
  });

  it("names the parameter at fault and what to write instead", () => {
    expect(errorsOf("sort=fastest")).toEqual([
      {
        param: "sort",
        message:
          'sort "fastest" is unknown: use one of lag, lagTime, started, client, account, delivered, rate, position',
      },
    ]);
    expect(errorsOf("dir=up")[0].message).toBe('dir "up" is unknown: use asc or desc');
    expect(errorsOf("mode=live")[0].message).toBe('mode "live" is unknown: use catchup, follow or ephemeral');
    expect(errorsOf("instance=store-1")[0]).toEqual({
      param: "instance",
      message: 'instance "store-1" is not an instance id: use the UUID /instances shows',
    });
    for (const limit of ["0", "1001", "-5", "ten", "1e3", "99999999"])
      expect(errorsOf(`limit=${limit}`)[0].message).toBe(
        `limit "${limit}" is out of range: show 1 to 1000 subscriptions`,
      );
    expect(errorsOf("ns=a&ns=b")[0].message).toBe("ns is given 2 times: keep one");
    expect(errorsOf(`account=${"x".repeat(201)}`)[0].message).toBe(
      "account is 201 characters long: an account has at most 200",
    );
    expect(errorsOf("client=a%09b")[0].message).toBe(
      "client holds control characters: a client id (fc-id) is one line of text",
    );
    // Every error at once, so one look at the page fixes the URL.
    expect(errorsOf("sort=x&dir=y&mode=z").map((e) => e.param)).toEqual(["sort", "dir", "mode"]);
  });

  it("does not take inherited object keys for sort orders or modes", () => {
    expect(errorsOf("sort=constructor")[0].param).toBe("sort");
    expect(errorsOf("mode=__proto__")[0].param).toBe("mode");
  });

  it("links one subscription by its id", () => {
    expect(subscriptionHref(ID)).toBe(`/subscriptions/${ID}`);
  });
});
