// The console's OperationsService where the store decides or cannot answer (README "Instances and
// subscriptions"): with an access file, what each user sees and who may end a subscription; a plain
// FactCast server reports nothing and the console says so; the console app serves only as the caller.
import { Code, createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SubscriptionOrder } from "../../gen/factline/admin/v1/operations_pb";
import { OperationsService } from "../../gen/factline/console/v1/operations_pb";
import { createStoreClient } from "../../factcast/client";
import { createOperationsService, NOT_REPORTED } from "../../lib/backend/rpc/operations";
import { createUpstream } from "../../lib/backend/upstream/upstream";
import { subscribe, type Subscription } from "../support/client";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { startStore, type RunningStore } from "../support/store";
import { startSecuredStore, type SecuredStore } from "../security/support";
import { consoleAs, ENV, refusal, until, type ConsoleAs } from "./operations-support";

describe("with an access file", () => {
  const ACCESS = {
    accounts: [
      { id: "sre", roles: ["operator"] },
      { id: "shopper", roles: ["shop"] },
      { id: "people", roles: ["hr"] },
    ],
    roles: [
      { id: "operator", operate: true },
      { id: "shop", read: { include: ["shop"] } },
      { id: "hr", read: { include: ["hr"] } },
    ],
  };
  let fx: SecuredStore;
  let sre: ConsoleAs;
  let shopper: ConsoleAs;
  let shopFollow: Subscription;
  let hrFollow: Subscription;

  const followAs = (account: string, ns: string) =>
    subscribe(
      createStoreClient({ url: fx.store.url, user: account, password: `${account}-pw` }).facts,
      { specs: [{ ns }], continuous: true },
      { headers: { "fc-id": `${ns}-follower` } },
    );

  beforeAll(async () => {
    const secrets = ["sre", "shopper", "people"].map((a) => `factcast.access.secrets.${a}=${a}-pw`).join("\n");
    fx = await startSecuredStore({ access: ACCESS, secrets, env: ENV, label: "console_operations_access" });
    sre = consoleAs(createUpstream({ url: fx.store.url, user: "sre", password: "sre-pw" }));
    shopper = consoleAs(createUpstream({ url: fx.store.url, user: "shopper", password: "shopper-pw" }));
    shopFollow = followAs("shopper", "shop");
    hrFollow = followAs("people", "hr");
  }, 120_000);

  afterAll(async () => {
    shopFollow?.cancel();
    hrFollow?.cancel();
    sre?.upstream.close();
    shopper?.upstream.close();
    await fx?.close();
  }, 60_000);

  it("shows each user what the store lets them see, and lets only operate end one", async () => {
    // The operator may read no namespace, yet sees every subscription.
    const all = await until(
      () => sre.ops.listSubscriptions({ orderBy: SubscriptionOrder.CLIENT, ascending: true }),
      (r) => r.answer?.total === 2,
      "both followers",
    );
    expect(all.answer!.subscriptions.map((s) => [s.clientId, s.account])).toEqual([
      ["hr-follower", "people"],
      ["shop-follower", "shopper"],
    ]);
    const seen = await shopper.ops.listSubscriptions({});
    expect(seen.answer!.subscriptions.map((s) => s.clientId)).toEqual(["shop-follower"]);
    const instances = await shopper.ops.listInstances({});
    expect(instances.answer!.instances.map((i) => i.subscriptions)).toEqual([1]);

    expect((await shopper.access.getAccess({})).access?.operate).toBe(false);
    expect((await sre.access.getAccess({})).access?.operate).toBe(true);
    const shop = all.answer!.subscriptions[1];
    const refused = await refusal(shopper.ops.endSubscription({ id: shop.id, reason: "mine" }));
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.rawMessage).toBe('account "shopper" may not end subscriptions (a role needs "operate": true)');
    expect(shopFollow.isEnded()).toBe(false);

    await sre.ops.endSubscription({ id: shop.id, reason: "shop freeze" });
    const end = await shopFollow.ended;
    expect(end.error?.rawMessage).toBe("subscription ended by sre: shop freeze");
    expect(hrFollow.isEnded()).toBe(false);
  });

  it("refuses a console without credentials", async () => {
    const nobody = consoleAs(createUpstream({ url: fx.store.url }));
    try {
      const err = await refusal(nobody.ops.listInstances({}));
      expect(err.code).toBe(Code.Unauthenticated);
    } finally {
      nobody.upstream.close();
    }
  });
});

describe("a plain FactCast server", () => {
  let database: TestDatabase;
  let plain: RunningStore;
  let viaPlain: ConsoleAs;

  beforeAll(async () => {
    database = await createTestDatabase(inject("pgAdminUrl"), "console_operations_plain");
    plain = await startStore({ databaseUrl: database.url, env: { ...ENV, FACTLINE_ADMIN_SERVICES: "off" } });
    viaPlain = consoleAs(createUpstream({ url: plain.url }));
  }, 120_000);

  afterAll(async () => {
    viaPlain?.upstream.close();
    await plain?.stop();
    await database?.drop();
  }, 60_000);

  it("reports no instances and no subscriptions, and cannot end one", async () => {
    expect(await viaPlain.ops.listInstances({})).toMatchObject({ reported: false, unreportedReason: NOT_REPORTED });
    expect(await viaPlain.ops.listSubscriptions({})).toMatchObject({
      reported: false,
      unreportedReason: NOT_REPORTED,
    });
    const err = await refusal(viaPlain.ops.endSubscription({ id: crypto.randomUUID() }));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toMatch(/does not report its instances and subscriptions .* It cannot end one\.$/);
  });
});

describe("in the console app", () => {
  it("serves only as the caller: a call that carries no caller's upstream is refused", async () => {
    // The app's handler puts the signed-in user's upstream into each call's context
    // (lib/backend/upstream/caller.ts); without one the service must not fall back to the console's own.
    const transport = createRouterTransport((r) => r.service(OperationsService, createOperationsService()));
    const ops = createClient(OperationsService, transport);
    for (const call of [
      () => ops.listInstances({}),
      () => ops.listSubscriptions({}),
      () => ops.endSubscription({ id: crypto.randomUUID() }),
    ]) {
      const err = await refusal(call());
      expect(err.code).toBe(Code.Unauthenticated);
    }
  });
});
