// The console backend as each kind of user, against a real store with an access file (README
// "Permissions in the console"): an operator who reads shop*, a developer who reads everything, an
// admin who also manages schemas and reads the audit log, and a visitor whose role matches no
// namespace. Each console call goes upstream with that user's own credentials; the store decides,
// and the console passes its answers and its reasons on. What "every namespace" means for a user
// who may not read "*" (live alone, an unfiltered export) is the namespaces the store says it may read.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../gen/factline/admin/v1/audit_pb";
import { AccessService, AuditService } from "../../gen/factline/console/v1/access_pb";
import { ConsoleService, FactQuerySchema, type WatchFactsRequest } from "../../gen/factline/console/v1/console_pb";
import { SchemaService } from "../../gen/factline/console/v1/schemas_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WatchFactsRequestSchema } from "../../gen/factline/console/v1/console_pb";
import { ACCESS_UNKNOWN, createAccessService, createAuditService, NO_AUDIT_TRAIL } from "../../lib/backend/rpc/access";
import { createConsoleService } from "../../lib/backend/rpc/console-service";
import { createSchemaService } from "../../lib/backend/rpc/schemas";
import { exportAudit } from "../../lib/backend/routes/audit-export";
import { exportFacts } from "../../lib/backend/routes/export";
import { createUpstream, type Upstream } from "../../lib/backend/upstream/upstream";
import { fact, factsMsg } from "../support/facts.js";
import { startStore, type RunningStore } from "../support/store.js";
import { startSecuredStore, type SecuredStore } from "../security/support.js";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["shop-reader"] },
    { id: "developer", roles: ["reader"] },
    { id: "admin", roles: ["admin"] },
    { id: "visitor", roles: ["hr-reader"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "reader", read: { include: ["*"] } },
    {
      id: "admin",
      read: { include: ["*"] },
      write: { include: ["*"] },
      schemas: { include: ["*"] },
      audit: true,
    },
    { id: "hr-reader", read: { include: ["hr*"] } },
  ],
};
const PASSWORDS = { operator: "operator-pw", developer: "developer-pw", admin: "admin-pw", visitor: "visitor-pw" };
type Account = keyof typeof PASSWORDS;
const SCHEMA = JSON.stringify({ type: "object", properties: { orderId: { type: "string" } } });

interface ConsoleAs {
  upstream: Upstream;
  console: Client<typeof ConsoleService>;
  schemas: Client<typeof SchemaService>;
  access: Client<typeof AccessService>;
  audit: Client<typeof AuditService>;
}

function consoleAs(upstream: Upstream): ConsoleAs {
  const transport = createRouterTransport((r) =>
    r
      .service(ConsoleService, createConsoleService({ upstream }))
      .service(SchemaService, createSchemaService({ upstream }))
      .service(AccessService, createAccessService({ upstream }))
      .service(AuditService, createAuditService({ upstream })),
  );
  return {
    upstream,
    console: createClient(ConsoleService, transport),
    schemas: createClient(SchemaService, transport),
    access: createClient(AccessService, transport),
    audit: createClient(AuditService, transport),
  };
}

let fx: SecuredStore;
let plainStore: RunningStore;
const as = {} as Record<Account, ConsoleAs>;
let plainAs: ConsoleAs;
/** ns of each published fact, by serial. */
const nsOf = new Map<bigint, string>();

beforeAll(async () => {
  const secrets = Object.entries(PASSWORDS)
    .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
    .join("\n");
  fx = await startSecuredStore({ access: ACCESS, secrets, label: "console_access" });
  for (const account of Object.keys(PASSWORDS) as Account[])
    as[account] = consoleAs(createUpstream({ url: fx.store.url, user: account, password: PASSWORDS[account] }));
  const facts = ["shop", "shop-eu", "billing", "users", "shop", "billing"].map((ns, i) =>
    fact({ ns, type: `${ns}Event`, version: 1, payload: { i } }),
  );
  await as.admin.upstream.facts.publish(factsMsg(facts));
  for (const [i, f] of facts.entries()) nsOf.set(BigInt(i + 1), (JSON.parse(f.header) as { ns: string }).ns);
  // The same database, the same access file, without factline's admin services: what a plain
  // FactCast server offers (its own ACLs still apply per call).
  plainStore = await startStore({
    databaseUrl: fx.databaseUrl,
    env: {
      FACTLINE_ADMIN_SERVICES: "off",
      FACTLINE_ACCESS_FILE: `${fx.dir}/factcast-access.json`,
      FACTLINE_SECRETS_FILE: `${fx.dir}/secrets.properties`,
      FACTLINE_LOG: "silent",
    },
  });
  plainAs = consoleAs(createUpstream({ url: plainStore.url, user: "operator", password: PASSWORDS.operator }));
}, 180_000);

afterAll(async () => {
  for (const c of [...Object.values(as), plainAs]) c?.upstream.close();
  await plainStore?.stop();
  await fx?.close();
}, 60_000);

async function refusal(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call was not refused");
}

/** Everything a watch delivers up to its "caught up" mark. */
async function watchedUntilCaughtUp(c: ConsoleAs, req: MessageInitShape<typeof WatchFactsRequestSchema>) {
  const abort = new AbortController();
  const serials: bigint[] = [];
  try {
    for await (const res of c.console.watchFacts(req as WatchFactsRequest, { signal: abort.signal })) {
      if (res.event.case === "facts") serials.push(...res.event.value.facts.map((f) => f.serial));
      if (res.event.case === "caughtUp") break;
    }
  } finally {
    abort.abort();
  }
  return serials;
}

async function download(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** The newest entry matching, waited for: a refused call's entry is written beside its answer. */
async function auditEntry(filter: { account?: string; action?: string }): Promise<AuditEntry> {
  let found: AuditEntry | undefined;
  await expect
    .poll(
      async () => {
        found = (await as.admin.audit.listAuditEntries({ ...filter, limit: 1 })).entries[0];
        return found !== undefined;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

describe("GetAccess through the console", () => {
  it("passes the store's answer for each user on", async () => {
    const operator = await as.operator.access.getAccess({ namespaces: ["billing"] });
    expect(operator.known).toBe(true);
    expect(operator.access).toMatchObject({ account: "operator", via: "basic", readAudit: false });
    expect(operator.access?.read?.include).toEqual(["shop*"]);
    expect(operator.access?.namespaces.map((n) => [n.ns, n.read, n.manageSchemas])).toEqual([
      ["billing", false, false],
      ["shop", true, false],
      ["shop-eu", true, false],
    ]);
    expect(operator.access?.anyNamespace?.read).toBe(false);

    const developer = await as.developer.access.getAccess({});
    expect(developer.access?.anyNamespace).toMatchObject({ read: true, manageSchemas: false });
    expect(developer.access?.readAudit).toBe(false);

    const admin = await as.admin.access.getAccess({});
    expect(admin.access?.anyNamespace).toMatchObject({ read: true, write: true, manageSchemas: true });
    expect(admin.access?.readAudit).toBe(true);
  });

  it("says the store decides per call when the store cannot tell", async () => {
    expect(await plainAs.access.getAccess({})).toMatchObject({ known: false, unknownReason: ACCESS_UNKNOWN });
  });

  it("refuses wrong credentials and too many asked namespaces with the store's words", async () => {
    const stranger = consoleAs(createUpstream({ url: fx.store.url, user: "operator", password: "wrong" }));
    try {
      expect((await refusal(stranger.access.getAccess({}))).code).toBe(Code.Unauthenticated);
    } finally {
      stranger.upstream.close();
    }
    const many = Array.from({ length: 101 }, (_, i) => `ns${i}`);
    const err = await refusal(as.developer.access.getAccess({ namespaces: many }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/at most 100 namespaces/);
  });
});

describe("what each user is shown", () => {
  it("lists only readable namespaces in the catalog, and refuses the rest with the store's reason", async () => {
    const names = async (a: Account) => (await as[a].console.getCatalog({})).namespaces.map((n) => n.ns);
    expect(await names("operator")).toEqual(["shop", "shop-eu"]);
    expect(await names("developer")).toEqual(["billing", "shop", "shop-eu", "users"]);
    expect(await names("visitor")).toEqual([]);
    const err = await refusal(as.operator.console.getCatalog({ ns: "billing" }));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toBe('account "operator" may not read namespace "billing"');
    // the same against the store without admin services: FactCast's own enumerations and ACLs
    expect((await plainAs.console.getCatalog({})).namespaces.map((n) => n.ns)).toEqual(["shop", "shop-eu"]);
  });

  it("pages an unfiltered query over readable namespaces only; a named unreadable one is refused", async () => {
    const all = await as.operator.console.queryFacts({ limit: 100 });
    expect(all.facts.map((f) => f.ns).sort()).toEqual(["shop", "shop", "shop-eu"]);
    const err = await refusal(
      as.operator.console.queryFacts({ query: create(FactQuerySchema, { filters: [{ ns: "billing" }] }) }),
    );
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toMatch(/may not read namespace "billing"/);
  });

  it("refuses a deep link to a fact of an unreadable namespace, saying why", async () => {
    const billing = [...nsOf].find(([, ns]) => ns === "billing")![0];
    const err = await refusal(as.operator.console.getFact({ key: { case: "serial", value: billing } }));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toMatch(/may not read namespace "billing"/);
    const shop = [...nsOf].find(([, ns]) => ns === "shop")![0];
    expect((await as.operator.console.getFact({ key: { case: "serial", value: shop } })).fact?.ns).toBe("shop");
  });

  it("watches the readable namespaces when told to watch everything", async () => {
    const operator = await watchedUntilCaughtUp(as.operator, { fromBeginning: true });
    expect(operator.map((s) => nsOf.get(s))).toEqual(["shop", "shop-eu", "shop"]);
    const developer = await watchedUntilCaughtUp(as.developer, { fromBeginning: true });
    expect(developer).toEqual([...nsOf.keys()]);
    // named, an unreadable namespace is the store's refusal, with its reason
    const err = await refusal(watchedUntilCaughtUp(as.operator, { filters: [{ ns: "billing" }], fromBeginning: true }));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toMatch(/may not read namespace "billing"/);
    // a user who may read no namespace of this store is told so
    const none = await refusal(watchedUntilCaughtUp(as.visitor, {}));
    expect(none.code).toBe(Code.PermissionDenied);
    expect(none.rawMessage).toMatch(/^account "visitor" may not read any namespace of this store/);
  });

  it("exports the readable namespaces of an unfiltered query, and refuses an unreadable one", async () => {
    const all = await exportFacts(as.operator.upstream, new URLSearchParams());
    expect(all.status).toBe(200);
    const lines = (await download(all)).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { header: { ns: string } }).header.ns)).toEqual([
      "shop",
      "shop-eu",
      "shop",
    ]);
    const refused = await exportFacts(as.operator.upstream, new URLSearchParams("ns=billing"));
    expect(refused.status).toBe(403);
    expect(await download(refused)).toMatch(/may not read namespace "billing"/);
    const entry = await auditEntry({ account: "operator", action: "access.denied" });
    expect(entry).toMatchObject({ outcome: "denied", client: "factline-console" });
    expect(entry.detail).toMatch(/billing/);
  });
});

describe("schema actions", () => {
  it("lets readers validate payloads and refuses registering to all but schema admins", async () => {
    await as.admin.schemas.registerSchema({ key: { ns: "shop", type: "OrderPlaced", version: 1 }, schemaJson: SCHEMA });
    const check = await as.developer.schemas.validatePayload({
      key: { ns: "shop", type: "OrderPlaced", version: 1 },
      payloadJson: `{"orderId": 7}`,
    });
    expect(check.valid).toBe(false);
    for (const account of ["operator", "developer"] as const) {
      const err = await refusal(
        as[account].schemas.registerSchema({
          key: { ns: "shop", type: "OrderPlaced", version: 2 },
          schemaJson: SCHEMA,
        }),
      );
      expect(err.code).toBe(Code.PermissionDenied);
      expect(err.rawMessage).toBe(`account "${account}" may not manage schemas of namespace "shop"`);
    }
    const denied = await auditEntry({ account: "developer", action: "schema.register" });
    expect(denied).toMatchObject({ outcome: "denied", ns: "shop", subject: "OrderPlaced v2" });
  });

  it("records the admin's register and forced replacement with account and reason", async () => {
    const key = { ns: "shop", type: "OrderShipped", version: 1 };
    await as.admin.schemas.registerSchema({ key, schemaJson: SCHEMA });
    const changed = JSON.stringify({ type: "object", required: ["orderId"] });
    await as.admin.schemas.registerSchema({ key, schemaJson: changed, force: true, reason: "orderId is required" });
    const { entries } = await as.admin.audit.listAuditEntries({ action: "schema.*", ns: "shop", limit: 2 });
    expect(entries.map((e) => [e.action, e.account, e.subject, e.reason, e.outcome])).toEqual([
      ["schema.replace", "admin", "OrderShipped v1", "orderId is required", "ok"],
      ["schema.register", "admin", "OrderShipped v1", "", "ok"],
    ]);
  });
});

describe("the audit log through the console", () => {
  it("is read only with the audit permission, refused with the store's reason otherwise", async () => {
    for (const account of ["operator", "developer", "visitor"] as const) {
      const err = await refusal(as[account].audit.listAuditEntries({}));
      expect(err.code).toBe(Code.PermissionDenied);
      expect(err.rawMessage).toMatch(/may not read the audit log/);
    }
    const page = await as.admin.audit.listAuditEntries({ limit: 3 });
    expect(page.entries).toHaveLength(3);
    expect(page.hasMore).toBe(true);
    const older = await as.admin.audit.listAuditEntries({ limit: 3, beforeId: page.entries[2].id });
    const back = await as.admin.audit.listAuditEntries({ limit: 3, afterId: older.entries[0].id });
    expect(back.entries.map((e) => e.id)).toEqual(page.entries.map((e) => e.id));
  });

  it("passes the store's refusal of bad page requests on", async () => {
    for (const [req, message] of [
      [{ limit: 5_000 }, /limit must be from 1 to 1000/],
      [{ beforeId: -3n }, /must not be negative/],
      [{ fromMs: 2_000n, toMs: 1_000n }, /to_ms must be later than from_ms/],
    ] as const) {
      const err = await refusal(as.admin.audit.listAuditEntries(req));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(message);
    }
  });

  it("says a store without admin services keeps no trail", async () => {
    const err = await refusal(plainAs.audit.listAuditEntries({}));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe(NO_AUDIT_TRAIL);
  });

  it("exports the filtered log as NDJSON and CSV, to audit readers only", async () => {
    const ndjson = await exportAudit(as.admin.upstream, new URLSearchParams("action=schema.*&ns=shop"));
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get("content-type")).toMatch(/ndjson/);
    const entries = (await download(ndjson))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; ns: string; at: string });
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(entries.every((e) => e.action.startsWith("schema.") && e.ns === "shop")).toBe(true);
    expect(entries[0].action).toBe("schema.replace");

    const csv = await exportAudit(as.admin.upstream, new URLSearchParams("action=schema.replace&format=csv"));
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = (await download(csv)).trim().split("\r\n");
    expect(rows[0]).toMatch(/^id,at,account,via,action,outcome,ns,subject,reason,/);
    expect(rows[1]).toMatch(/,admin,basic,schema\.replace,ok,shop,OrderShipped v1,orderId is required,/);

    const refused = await exportAudit(as.operator.upstream, new URLSearchParams());
    expect(refused.status).toBe(403);
    expect(await download(refused)).toMatch(/may not read the audit log/);
    const bad = await exportAudit(as.admin.upstream, new URLSearchParams("from=2025-02-30&format=pdf"));
    expect(bad.status).toBe(400);
    expect(await download(bad)).toMatch(/from: from "2025-02-30" is not a calendar day[\s\S]*format "pdf" is unknown/);
  });

  it("pages an export of more than one store page through to the end", async () => {
    // 1,000 entries a page: enough refused attempts to fill more than one, from this test's account.
    const attempts = 1_050;
    const key = { ns: "billing", type: "Flood", version: 1 };
    for (let i = 0; i < attempts; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, attempts - i) }, () =>
          as.developer.schemas.registerSchema({ key, schemaJson: SCHEMA }).catch(() => undefined),
        ),
      );
    const res = await exportAudit(as.admin.upstream, new URLSearchParams("account=developer&ns=billing"));
    const ids = (await download(res))
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { id: number }).id);
    expect(ids).toHaveLength(attempts);
    // newest first, no entry twice across the page boundary
    expect(new Set(ids).size).toBe(attempts);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });
});
