// OperationsService with an access file: an account sees the subscriptions it may read all the
// namespaces of, "operate" sees and may end all, and every attempt to end one — allowed or not —
// is in the audit trail as subscription.end.
import { Code, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessService } from "../../gen/factline/admin/v1/access_pb.js";
import { OperationsService } from "../../gen/factline/admin/v1/operations_pb.js";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { subscribe, type Subscription } from "../support/client.js";
import { basic, startSecuredStore, type SecuredStore } from "../security/support.js";

const ACCESS = {
  accounts: [
    { id: "ops", roles: ["operator"] },
    { id: "shopper", roles: ["shop"] },
    { id: "people", roles: ["hr"] },
    { id: "everything", roles: ["all"] },
  ],
  roles: [
    { id: "operator", operate: true },
    { id: "shop", read: { include: ["shop"] } },
    { id: "hr", read: { include: ["hr"] } },
    { id: "all", read: { include: ["*"] } },
  ],
};
const SECRETS = ["ops", "shopper", "people", "everything"]
  .map((a) => `factcast.access.secrets.${a}=${a}-pw`)
  .join("\n");

let fx: SecuredStore;
let shopFollow: Subscription;
let hrFollow: Subscription;

function transportAs(account: string, clientId?: string) {
  const headers: Interceptor = (next) => (req) => {
    req.header.set("authorization", basic(account, `${account}-pw`));
    if (clientId) req.header.set("fc-id", clientId);
    return next(req);
  };
  return createGrpcTransport({ baseUrl: fx.store.url, interceptors: [headers] });
}
const ops = (account: string): Client<typeof OperationsService> =>
  createClient(OperationsService, transportAs(account));

beforeAll(async () => {
  fx = await startSecuredStore({
    access: ACCESS,
    secrets: SECRETS,
    env: { FACTLINE_HEARTBEAT_MS: "300" },
    label: "operations_access",
  });
  shopFollow = subscribe(createClient(RemoteFactStore, transportAs("shopper", "shop-follower")), {
    specs: [{ ns: "shop" }],
    continuous: true,
  });
  hrFollow = subscribe(createClient(RemoteFactStore, transportAs("people", "hr-follower")), {
    specs: [{ ns: "hr" }],
    continuous: true,
  });
  const deadline = Date.now() + 15_000;
  while ((await ops("ops").listSubscriptions({})).total < 2) {
    if (Date.now() > deadline) throw new Error("the two followers were never listed");
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  shopFollow?.cancel();
  hrFollow?.cancel();
  await fx?.close();
}, 30_000);

const clients = async (account: string) =>
  (await ops(account).listSubscriptions({})).subscriptions.map((s) => s.clientId).sort();

describe("OperationsService permissions", () => {
  it("lists only the subscriptions whose namespaces the caller may read; operate sees all", async () => {
    expect(await clients("shopper")).toEqual(["shop-follower"]);
    expect(await clients("people")).toEqual(["hr-follower"]);
    expect(await clients("everything")).toEqual(["hr-follower", "shop-follower"]);
    expect(await clients("ops")).toEqual(["hr-follower", "shop-follower"]);
    const shopperSees = await ops("shopper").listSubscriptions({ ns: "hr" });
    expect(shopperSees.total).toBe(0);
    const instances = await ops("shopper").listInstances({});
    expect(instances.instances.map((i) => i.subscriptions)).toEqual([1]);
  });

  it("tells each account through GetAccess whether it may operate, so consoles offer only what works", async () => {
    const operateOf = async (account: string) =>
      (await createClient(AccessService, transportAs(account)).getAccess({})).operate;
    expect(await operateOf("ops")).toBe(true);
    expect(await operateOf("shopper")).toBe(false);
    expect(await operateOf("everything")).toBe(false);
  });

  it("needs credentials for every call", async () => {
    const anonymous = createClient(OperationsService, createGrpcTransport({ baseUrl: fx.store.url }));
    await expect(anonymous.listInstances({})).rejects.toMatchObject({ code: Code.Unauthenticated });
    await expect(anonymous.listSubscriptions({})).rejects.toMatchObject({ code: Code.Unauthenticated });
  });

  it("lets only operate end a subscription, and audits every attempt", async () => {
    const hr = (await ops("ops").listSubscriptions({ clientId: "hr-follower" })).subscriptions[0];
    await expect(ops("people").endSubscription({ id: hr.id, reason: "mine" })).rejects.toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: 'account "people" may not end subscriptions (a role needs "operate": true)',
    });
    expect(hrFollow.isEnded()).toBe(false);

    await ops("ops").endSubscription({ id: hr.id, reason: "hr data freeze" });
    const end = await hrFollow.ended;
    expect(end.error?.code).toBe(Code.Canceled);
    expect(end.error?.rawMessage).toBe("subscription ended by ops: hr data freeze");
    expect(shopFollow.isEnded()).toBe(false);

    const db = new pg.Client({ connectionString: fx.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{
        account: string;
        outcome: string;
        ns: string | null;
        reason: string;
        subject: string;
        detail: string;
      }>(
        `SELECT account, outcome, ns, reason, subject, detail FROM audit_entry WHERE action = 'subscription.end' ORDER BY id`,
      );
      expect(rows.map((r) => [r.account, r.outcome, r.subject])).toEqual([
        ["people", "denied", hr.id],
        ["ops", "ok", hr.id],
      ]);
      expect(rows[1]).toMatchObject({ ns: "hr", reason: "hr data freeze" });
      expect(rows[1].detail).toMatch(/client hr-follower of account people on instance [0-9a-f-]{36}; reads hr/);
    } finally {
      await db.end();
    }
  });
});
