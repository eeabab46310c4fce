// The console's sign-in against REAL store processes: how it learns whether the store checks
// credentials (FACTLINE_CONSOLE_AUTH unset), how a user name and password are checked (factline's
// SignIn RPC, or a handshake against a plain FactCast server), and that every console call then
// reaches the store as its own user — the store's permissions and audit trail see the user, not
// the console.
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleService } from "../../gen/factline/console/v1/console_pb";
import { probeStoreAuth } from "../../lib/backend/auth/mode";
import { checkStoreCredentials, WRONG_CREDENTIALS } from "../../lib/backend/auth/sign-in";
import { createConsoleApiHandler } from "../../lib/backend/routes/api-handler";
import { createConsoleService } from "../../lib/backend/rpc/console-service";
import { asUser, createUpstream, type Upstream } from "../../lib/backend/upstream/upstream";
import { startSecuredStore, type SecuredStore } from "../security/support.js";
import { fact, factsMsg } from "../support/facts.js";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["shop-reader"] },
    { id: "admin", roles: ["reader", "schema-admin"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "reader", read: { include: ["*"] }, write: { include: ["*"] } },
    { id: "schema-admin", schemas: { include: ["*"] }, audit: true },
  ],
};
const SECRETS = "factcast.access.secrets.operator=operator-pw\nfactcast.access.secrets.admin=admin-pw\n";

let secured: SecuredStore;
let securedPlain: SecuredStore;
let open: SecuredStore;
let upstream: Upstream;

beforeAll(async () => {
  [secured, securedPlain, open] = await Promise.all([
    startSecuredStore({ access: ACCESS, secrets: SECRETS, label: "signin", env: { FACTLINE_LOG: "silent" } }),
    startSecuredStore({
      access: ACCESS,
      secrets: SECRETS,
      label: "signin_plain",
      env: { FACTLINE_LOG: "silent", FACTLINE_ADMIN_SERVICES: "off" },
    }),
    startSecuredStore({ label: "signin_open", env: { FACTLINE_LOG: "silent" } }),
  ]);
  upstream = createUpstream({ url: secured.store.url });
  const admin = asUser(upstream, "admin", { user: "admin", password: "admin-pw" });
  // Two namespaces with facts: one the operator may read, one it may not.
  await admin.facts.publish(factsMsg([fact({ ns: "shop-orders", type: "T" }), fact({ ns: "billing", type: "T" })]));
}, 180_000);

afterAll(async () => {
  upstream?.close();
  await Promise.all([secured?.close(), securedPlain?.close(), open?.close()]);
});

describe("FACTLINE_CONSOLE_AUTH unset: the store decides", () => {
  it("a store with an access file means sign-in; one without means none", async () => {
    for (const [fx, mode] of [
      [secured, "store"],
      [securedPlain, "store"], // no access RPC: its handshake refuses an anonymous caller
      [open, "none"],
    ] as const) {
      const anonymous = createUpstream({ url: fx.store.url });
      try {
        expect(await probeStoreAuth(anonymous)).toBe(mode);
      } finally {
        anonymous.close();
      }
    }
  });

  it("an unreachable store decides nothing", async () => {
    const nowhere = createUpstream({ url: "http://127.0.0.1:1" });
    await expect(probeStoreAuth(nowhere, 2_000)).rejects.toThrow();
    nowhere.close();
  });
});

describe("checking a user name and password", () => {
  it("accepts an account of the store, and names it as the store does", async () => {
    expect(await checkStoreCredentials(upstream, "operator", "operator-pw", "203.0.113.7")).toEqual({
      ok: true,
      account: "operator",
    });
  });

  it("answers a wrong password and an unknown account with the same words", async () => {
    const wrong = await checkStoreCredentials(upstream, "operator", "nope", "203.0.113.8");
    const unknown = await checkStoreCredentials(upstream, "nobody", "nope", "203.0.113.8");
    expect(wrong).toEqual({ ok: false, counts: true, message: WRONG_CREDENTIALS });
    expect(unknown).toEqual(wrong);
  });

  it("records sign-ins and failed ones in the store's audit trail, with the browser's address", async () => {
    await checkStoreCredentials(upstream, "operator", "operator-pw", "198.51.100.21");
    await checkStoreCredentials(upstream, "operator", "wrong", "198.51.100.22");
    const admin = asUser(upstream, "admin", { user: "admin", password: "admin-pw" });
    await expect
      .poll(
        async () => {
          const { entries } = await admin.audit.listAuditEntries({
            action: "console.sign-in",
            account: "operator",
            limit: 5,
          });
          return entries.map((e) => `${e.outcome} ${e.forwardedFor} ${e.client}`);
        },
        { timeout: 10_000 },
      )
      .toEqual(
        expect.arrayContaining(["ok 198.51.100.21 factline-console", "unauthenticated 198.51.100.22 factline-console"]),
      );
  });

  it("checks against a plain FactCast server with a handshake", async () => {
    const plain = createUpstream({ url: securedPlain.store.url });
    try {
      expect(await checkStoreCredentials(plain, "admin", "admin-pw", "::1")).toEqual({ ok: true, account: "admin" });
      expect(await checkStoreCredentials(plain, "admin", "wrong", "::1")).toMatchObject({ ok: false, counts: true });
    } finally {
      plain.close();
    }
  });

  it("lets nobody in through a store that cannot check passwords, and says why", async () => {
    const openUpstream = createUpstream({ url: open.store.url });
    try {
      const check = await checkStoreCredentials(openUpstream, "anyone", "anything", "::1");
      expect(check).toMatchObject({ ok: false, counts: false });
      expect(!check.ok && check.message).toMatch(/runs without an access file/);
    } finally {
      openUpstream.close();
    }
  });

  it("does not count an unreachable store against the user", async () => {
    const nowhere = createUpstream({ url: "http://127.0.0.1:1" });
    const check = await checkStoreCredentials(nowhere, "operator", "operator-pw", "::1");
    nowhere.close();
    expect(check).toMatchObject({ ok: false, counts: false });
    expect(!check.ok && check.message).toMatch(/could not check your sign-in .*connection refused/);
  });
});

describe("console calls go upstream as the signed-in user", () => {
  it("each user sees what the store lets that user see", async () => {
    const catalogOf = async (user: Upstream) => {
      const client = createClient(
        ConsoleService,
        createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream: user }))),
      );
      return (await client.getCatalog({})).namespaces.map((n) => n.ns);
    };
    const operator = asUser(upstream, "operator", { user: "operator", password: "operator-pw" });
    const admin = asUser(upstream, "admin", { user: "admin", password: "admin-pw" });
    expect(await catalogOf(operator)).toEqual(["shop-orders"]);
    expect(await catalogOf(admin)).toEqual(expect.arrayContaining(["billing", "shop-orders"]));
  });

  it("the API handler runs each call as the caller it identifies, and refuses before any service otherwise", async () => {
    const operator = asUser(upstream, "operator", { user: "operator", password: "operator-pw" }, "192.0.2.4");
    let caller: Upstream | Response = operator;
    const handler = createConsoleApiHandler({ identify: async () => caller });
    const call = () =>
      handler(
        new Request("http://127.0.0.1:3000/api/factline.console.v1.ConsoleService/GetCatalog", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
      );
    const body = (await (await call()).json()) as { namespaces?: { ns: string }[] };
    expect(body.namespaces?.map((n) => n.ns)).toEqual(["shop-orders"]);
    caller = Response.json({ code: "unauthenticated", message: "not signed in" }, { status: 401 });
    expect((await call()).status).toBe(401);
  });

  it("a user's wrong credentials reach nobody else's data: the store refuses them", async () => {
    const stale = asUser(upstream, "operator", { user: "operator", password: "changed-since" });
    const client = createClient(
      ConsoleService,
      createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream: stale }))),
    );
    await expect(client.getCatalog({})).rejects.toMatchObject({ code: 16 }); // unauthenticated
  });

  it("whether the store has admin services is probed as a user, once for all users", async () => {
    const fresh = createUpstream({ url: secured.store.url });
    try {
      // The console's own identity (none) is refused by this store; a user's is not.
      await expect(fresh.capabilities.adminAvailable()).rejects.toThrow();
      const operator = asUser(fresh, "operator", { user: "operator", password: "operator-pw" });
      expect(await operator.capabilities.adminAvailable()).toBe(true);
      // Cached for the store, not the user: the console's own view now knows too.
      expect(await fresh.capabilities.adminAvailable()).toBe(true);
    } finally {
      fresh.close();
    }
  });
});
