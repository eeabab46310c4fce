// The audit trail and the access RPC through a real store with an access file of the three kinds of
// console user (README "Signing in"): what each may do as the store answers it, the schema changes
// and refused attempts in the trail with who, what, why and from where, and who may read it.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessService } from "../../gen/factline/admin/v1/access_pb.js";
import { CatalogService, FactQueryService, InstanceService } from "../../gen/factline/admin/v1/admin_pb.js";
import { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { AuditService, type AuditEntry } from "../../gen/factline/admin/v1/audit_pb.js";
import { Code, expectFailure } from "../support/client.js";
import { basic, startSecuredStore, type Clients, type SecuredStore } from "./support.js";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["shop-reader"] },
    { id: "developer", roles: ["reader"] },
    { id: "admin", roles: ["reader", "schema-admin"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "reader", read: { include: ["*"] } },
    { id: "schema-admin", schemas: { include: ["*"] }, audit: true },
  ],
};
const PASSWORDS = { operator: "operator-pw", developer: "developer-pw", admin: "admin-pw" };
type Account = keyof typeof PASSWORDS;
const SCHEMA = JSON.stringify({ type: "object", properties: { id: { type: "string" } } });

interface AuditClients extends Clients {
  access: Client<typeof AccessService>;
  audit: Client<typeof AuditService>;
}

let fx: SecuredStore;
const as = {} as Record<Account, AuditClients>;

function clients(authorization: string | undefined, headers: Record<string, string> = {}): AuditClients {
  const add: Interceptor = (next) => (req) => {
    if (authorization !== undefined) req.header.set("authorization", authorization);
    for (const [name, value] of Object.entries(headers)) req.header.set(name, value);
    return next(req);
  };
  const transport = createGrpcTransport({ baseUrl: fx.store.url, interceptors: [add] });
  return {
    facts: createClient(RemoteFactStore, transport),
    catalog: createClient(CatalogService, transport),
    query: createClient(FactQueryService, transport),
    instance: createClient(InstanceService, transport),
    schemas: createClient(SchemaRegistryService, transport),
    access: createClient(AccessService, transport),
    audit: createClient(AuditService, transport),
  };
}

type Filter = { action?: string; account?: string };

async function newest(filter: Filter = {}): Promise<AuditEntry> {
  const { entries } = await as.admin.audit.listAuditEntries({ ...filter, limit: 1 });
  expect(entries).toHaveLength(1);
  return entries[0];
}

/** A refused call's entry is written beside its answer, not before it: wait for it (bounded). */
async function refusalEntry(filter: Filter, action: string): Promise<AuditEntry> {
  await expect
    .poll(async () => (await as.admin.audit.listAuditEntries({ ...filter, limit: 1 })).entries[0]?.action, {
      timeout: 10_000,
    })
    .toBe(action);
  return newest(filter);
}

beforeAll(async () => {
  const secrets = Object.entries(PASSWORDS)
    .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
    .join("\n");
  fx = await startSecuredStore({ access: ACCESS, secrets, label: "audit" });
  for (const account of Object.keys(PASSWORDS) as Account[])
    as[account] = clients(basic(account, PASSWORDS[account]), { "fc-id": "audit-test" });
  // A registered type makes its namespace known to the store (no account here may write facts).
  for (const [ns, type] of [
    ["shop", "Order"],
    ["billing", "Invoice"],
  ])
    await as.admin.schemas.registerSchema({ key: { ns, type, version: 1 }, schemaJson: SCHEMA });
}, 120_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("AccessService.GetAccess", () => {
  it("tells each account what the store lets it do", async () => {
    const operator = await as.operator.access.getAccess({ namespaces: ["billing"] });
    expect(operator).toMatchObject({ account: "operator", via: "basic", readAudit: false, roles: ["shop-reader"] });
    expect(operator.read).toMatchObject({ include: ["shop*"], exclude: [] });
    expect(operator.anyNamespace).toMatchObject({ read: false, write: false, manageSchemas: false });
    // billing was asked about, so it is judged; nothing else outside shop* is named
    expect(operator.namespaces.find((n) => n.ns === "billing")).toMatchObject({ read: false });
    expect(operator.namespaces.map((n) => n.ns)).toEqual(["billing", "shop"]);
    expect(operator.namespaces.find((n) => n.ns === "shop")).toMatchObject({ read: true, write: false });
    // unasked, billing is not named at all
    expect((await as.operator.access.getAccess({})).namespaces.map((n) => n.ns)).toEqual(["shop"]);

    const developer = await as.developer.access.getAccess({});
    expect(developer.anyNamespace).toMatchObject({ read: true, write: false, manageSchemas: false });
    expect(developer.readAudit).toBe(false);

    const admin = await as.admin.access.getAccess({});
    expect(admin.anyNamespace).toMatchObject({ read: true, manageSchemas: true });
    expect(admin.readAudit).toBe(true);
    expect(admin.schemas).toMatchObject({ include: ["*"] });
    expect([...admin.roles].sort()).toEqual(["reader", "schema-admin"]);
  });

  it("refuses callers without valid credentials, and more namespaces than a page shows", async () => {
    expect((await expectFailure(clients(undefined).access.getAccess({}))).code).toBe(Code.Unauthenticated);
    const many = Array.from({ length: 101 }, (_, i) => `ns${i}`);
    const failure = await expectFailure(as.developer.access.getAccess({ namespaces: many }));
    expect(failure.code).toBe(Code.InvalidArgument);
    expect(failure.message).toMatch(/at most 100/);
  });
});

describe("the audit trail", () => {
  it("records a registration and a forced replacement with account, reason, address and client", async () => {
    const key = { ns: "shop", type: "Audited", version: 1 };
    await as.admin.schemas.registerSchema({ key, schemaJson: SCHEMA });
    const registered = await newest({ action: "schema.*" });
    expect(registered).toMatchObject({
      account: "admin",
      via: "basic",
      action: "schema.register",
      outcome: "ok",
      ns: "shop",
      subject: "Audited v1",
      client: "audit-test",
    });
    expect(registered.address).toMatch(/127\.0\.0\.1/);

    const stricter = JSON.stringify({ type: "object", required: ["id"], properties: { id: { type: "string" } } });
    await as.admin.schemas.registerSchema({ key, schemaJson: stricter, force: true, reason: "id is mandatory" });
    expect(await newest({ action: "schema.*" })).toMatchObject({
      account: "admin",
      action: "schema.replace",
      outcome: "ok",
      reason: "id is mandatory",
    });

    // The very same schema again changes nothing and is not an entry.
    const before = (await newest()).id;
    await as.admin.schemas.registerSchema({ key, schemaJson: stricter, force: true, reason: "again" });
    expect((await newest({ action: "schema.*" })).id).toBeLessThanOrEqual(before);

    await as.admin.schemas.deleteSchema({ key });
    expect(await newest({ action: "schema.*" })).toMatchObject({ action: "schema.delete", subject: "Audited v1" });
  });

  it("records refused attempts: a schema change, a query outside the grants, a wrong password", async () => {
    const register = await expectFailure(
      as.operator.schemas.registerSchema({ key: { ns: "shop", type: "Nope", version: 1 }, schemaJson: SCHEMA }),
    );
    expect(register.code).toBe(Code.PermissionDenied);
    expect(await newest({ account: "operator" })).toMatchObject({
      action: "schema.register",
      outcome: "denied",
      ns: "shop",
      subject: "Nope v1",
    });

    const query = await expectFailure(as.operator.query.queryFacts({ filters: [{ ns: "billing" }] }));
    expect(query.code).toBe(Code.PermissionDenied);
    const denied = await refusalEntry({ account: "operator" }, "access.denied");
    expect(denied).toMatchObject({
      action: "access.denied",
      outcome: "denied",
      subject: "FactQueryService/QueryFacts",
      ns: "billing",
    });
    expect(denied.detail).toMatch(/billing/);

    const wrong = clients(basic("developer", "not-the-password"), { "x-forwarded-for": "203.0.113.9" });
    expect((await expectFailure(wrong.catalog.getCatalog({}))).code).toBe(Code.Unauthenticated);
    const failed = await refusalEntry({ account: "developer" }, "auth.failed");
    expect(failed).toMatchObject({ action: "auth.failed", outcome: "unauthenticated", forwardedFor: "203.0.113.9" });
    expect(failed.detail).not.toMatch(/not-the-password/);
  });

  it("records console sign-ins, failed sign-ins and sign-outs", async () => {
    const signedIn = await as.operator.access.signIn({ namespaces: [] });
    expect(signedIn.access?.account).toBe("operator");
    expect(await newest({ action: "console.*" })).toMatchObject({
      account: "operator",
      action: "console.sign-in",
      outcome: "ok",
    });

    const wrong = clients(basic("operator", "guess"));
    expect((await expectFailure(wrong.access.signIn({}))).code).toBe(Code.Unauthenticated);
    await expect
      .poll(async () => (await newest({ action: "console.*" })).outcome, { timeout: 10_000 })
      .toBe("unauthenticated");
    expect(await newest({ action: "console.*" })).toMatchObject({
      account: "operator",
      action: "console.sign-in",
      outcome: "unauthenticated",
    });

    await as.operator.access.signOut({ reason: "idle" });
    expect(await newest({ action: "console.*" })).toMatchObject({ action: "console.sign-out", detail: "idle" });
    const bad = await expectFailure(as.operator.access.signOut({ reason: "bored" }));
    expect(bad.code).toBe(Code.InvalidArgument);
  });

  it("is read only with the audit permission, in keyset pages, filtered", async () => {
    for (const account of ["operator", "developer"] as const) {
      const failure = await expectFailure(as[account].audit.listAuditEntries({}));
      expect(failure.code).toBe(Code.PermissionDenied);
      expect(failure.message).toMatch(/audit/);
    }
    const first = await as.admin.audit.listAuditEntries({ limit: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    expect(first.entries[0].id).toBeGreaterThan(first.entries[1].id);
    const next = await as.admin.audit.listAuditEntries({ limit: 2, beforeId: first.entries[1].id });
    expect(next.entries[0].id).toBeLessThan(first.entries[1].id);
    // and back: the page above the older page's first entry is the first page again
    const back = await as.admin.audit.listAuditEntries({ limit: 2, afterId: next.entries[0].id });
    expect(back.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));

    const schemaEntries = await as.admin.audit.listAuditEntries({ action: "schema.*", ns: "shop" });
    expect(schemaEntries.entries.every((e) => e.action.startsWith("schema.") && e.ns === "shop")).toBe(true);
    const future = BigInt(Date.now() + 3_600_000);
    expect((await as.admin.audit.listAuditEntries({ fromMs: future })).entries).toEqual([]);
  });

  it("refuses bad page requests saying what to fix", async () => {
    for (const [request, message] of [
      [{ limit: 5_000 }, /limit must be from 1 to 1000/],
      [{ limit: -1 }, /limit must be from 1 to 1000/],
      [{ fromMs: -5n }, /must not be negative/],
      [{ beforeId: -1n }, /must not be negative/],
      [{ afterId: -1n }, /must not be negative/],
      [{ beforeId: 10n, afterId: 5n }, /not both/],
      [{ fromMs: 2_000n, toMs: 1_000n }, /to_ms must be later than from_ms/],
    ] as const) {
      const failure = await expectFailure(as.admin.audit.listAuditEntries(request));
      expect(failure.code).toBe(Code.InvalidArgument);
      expect(failure.message).toMatch(message);
    }
  });
});
