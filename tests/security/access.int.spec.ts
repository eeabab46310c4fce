// The access conformance table: a store with an access file of several accounts and roles
// (include, exclude, prefix, "*"), every RPC of every service with an account that may and one that
// may not, over real gRPC. A refused call answers with its status and writes nothing.
import bcrypt from "bcrypt";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MSG_StateForRequestSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { hashSecret } from "../../factcast/secrets.js";
import { catchUp, Code, expectFailure, subscriptionRequest, toMsgUuid, type SpecInput } from "../support/client.js";
import { fact, factsMsg, idOf } from "../support/facts.js";
import { basic, startSecuredStore, type Clients, type SecuredStore } from "./support.js";

const ACCESS = {
  accounts: [
    { id: "admin", roles: ["god"] },
    { id: "shopper", roles: ["shop-rw", "shop-schemas"] },
    { id: "analyst", roles: ["all-but-secret"] },
    { id: "nobody", roles: [] },
  ],
  roles: [
    { id: "god", read: { include: ["*"] }, write: { include: ["*"] }, schemas: { include: ["*"] }, audit: true },
    { id: "shop-rw", read: { include: ["shop", "catalog*"] }, write: { include: ["shop"] } },
    { id: "shop-schemas", schemas: { include: ["shop"] } },
    { id: "all-but-secret", read: { include: ["*"], exclude: ["secret*"] } },
  ],
};
const PASSWORDS = { admin: "admin-pw", shopper: "shopper-pw", analyst: "analyst-pw", nobody: "nobody-pw" };
type Account = keyof typeof PASSWORDS;

const SCHEMA = JSON.stringify({ type: "object", properties: { id: { type: "string" } } });

let fx: SecuredStore;
const as: Record<Account, Clients> = {} as never;
let anonymous: Clients;
const seeded = { shop: fact({ ns: "shop", type: "Order", version: 1, payload: { id: "o-1" } }) } as Record<
  string,
  ReturnType<typeof fact>
>;

beforeAll(async () => {
  const secrets = [
    `factcast.access.secrets.admin=${PASSWORDS.admin}`,
    `factcast.access.secrets.shopper={bcrypt}${await bcrypt.hash(PASSWORDS.shopper, 4)}`,
    `factcast.access.secrets.analyst=${await hashSecret(PASSWORDS.analyst, "argon2")}`,
    `factcast.access.secrets.nobody={noop}${PASSWORDS.nobody}`,
  ].join("\n");
  fx = await startSecuredStore({ access: ACCESS, secrets, label: "access" });
  for (const account of Object.keys(PASSWORDS) as Account[]) as[account] = fx.as(basic(account, PASSWORDS[account]));
  anonymous = fx.as(undefined);
  seeded["catalog-eu"] = fact({ ns: "catalog-eu", type: "Item", version: 1 });
  seeded["secret-hr"] = fact({ ns: "secret-hr", type: "Salary", version: 1 });
  seeded.billing = fact({ ns: "billing", type: "Invoice", version: 1 });
  await as.admin.facts.publish(factsMsg(Object.values(seeded)));
  for (const [ns, type] of [
    ["shop", "Order"],
    ["secret-hr", "Salary"],
  ]) {
    await as.admin.schemas.registerSchema({ key: { ns, type, version: 1 }, schemaJson: SCHEMA });
  }
}, 120_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

/** What a refused call must leave untouched: the log and the registry. */
async function snapshot() {
  const [latest, listed] = await Promise.all([as.admin.facts.latestSerial({}), as.admin.schemas.listSchemas({})]);
  return {
    latest: latest.serial,
    schemas: listed.schemas.map((s) => `${s.key!.ns}/${s.key!.type}/${s.key!.version}#${s.revision}`).sort(),
  };
}

const specs = (...ns: string[]): SpecInput[] => ns.map((n) => ({ ns: n }));
const specsJson = (...ns: string[]) => ({ json: JSON.stringify(ns.map((n) => ({ ns: n }))) });
const catchup = async (c: Clients, ...ns: string[]) => {
  const sub = await catchUp(c.facts, subscriptionRequest({ specs: specs(...ns) }));
  if (sub.end.error) throw sub.end.error;
  return sub.facts();
};
const idAndVersion = (f: ReturnType<typeof fact>) => {
  const { msb, lsb } = toMsgUuid(idOf(f));
  return { msb, lsb, ver: 0 };
};
const importFiles = (...ns: string[]) =>
  Object.fromEntries(ns.map((n) => [`${n}/Imported/versions/1/schema.json`, SCHEMA]));

interface Row {
  rpc: string;
  /** The call as the account that may make it; returns what to check. */
  allowed: [Account, (c: Clients) => Promise<unknown>];
  /** The same (or nearly) as one that may not: the status it gets. */
  denied: [Account | "no credentials", (c: Clients) => Promise<unknown>, Code];
}

const rows: Row[] = [
  {
    rpc: "handshake",
    allowed: ["nobody", (c) => c.facts.handshake({})],
    denied: ["no credentials", (c) => c.facts.handshake({}), Code.Unauthenticated],
  },
  {
    rpc: "publish",
    allowed: ["shopper", (c) => c.facts.publish(factsMsg([fact({ ns: "shop" })]))],
    // One namespace of the batch not writable: the whole batch is refused.
    denied: [
      "shopper",
      (c) => c.facts.publish(factsMsg([fact({ ns: "shop" }), fact({ ns: "billing" })])),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "publishConditional",
    allowed: ["shopper", (c) => c.facts.publishConditional({ facts: factsMsg([fact({ ns: "shop" })]) })],
    denied: [
      "analyst",
      (c) => c.facts.publishConditional({ facts: factsMsg([fact({ ns: "shop" })]) }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "subscribe",
    allowed: ["shopper", (c) => catchup(c, "shop", "catalog-eu")],
    denied: ["shopper", (c) => catchup(c, "shop", "billing"), Code.PermissionDenied],
  },
  {
    rpc: "subscribe *",
    allowed: ["admin", (c) => catchup(c, "*")],
    // Reads "everything but secret*": a spec over every namespace would include secret-hr.
    denied: ["analyst", (c) => catchup(c, "*"), Code.PermissionDenied],
  },
  {
    rpc: "fetchById",
    allowed: ["shopper", (c) => c.facts.fetchById(toMsgUuid(idOf(seeded.shop)))],
    denied: ["shopper", (c) => c.facts.fetchById(toMsgUuid(idOf(seeded["secret-hr"]))), Code.PermissionDenied],
  },
  {
    rpc: "fetchByIdAndVersion",
    allowed: ["analyst", (c) => c.facts.fetchByIdAndVersion(idAndVersion(seeded.billing))],
    denied: ["analyst", (c) => c.facts.fetchByIdAndVersion(idAndVersion(seeded["secret-hr"])), Code.PermissionDenied],
  },
  {
    rpc: "fetchBySerial",
    allowed: ["admin", (c) => c.facts.fetchBySerial({ serial: 1n })],
    denied: ["nobody", (c) => c.facts.fetchBySerial({ serial: 1n }), Code.PermissionDenied],
  },
  ...(
    [
      ["serialOf", (c: Clients) => c.facts.serialOf(toMsgUuid(idOf(seeded["secret-hr"])))],
      ["latestSerial", (c: Clients) => c.facts.latestSerial({})],
      ["lastSerialBefore", (c: Clients) => c.facts.lastSerialBefore({ year: 2030, month: 1, day: 1 })],
      ["firstSerialAfter", (c: Clients) => c.facts.firstSerialAfter({ year: 2000, month: 1, day: 1 })],
      ["currentTime", (c: Clients) => c.facts.currentTime({})],
      ["invalidate", (c: Clients) => c.facts.invalidate(toMsgUuid("1b5c4f3e-0000-4000-8000-000000000001"))],
      ["getInstanceStats", (c: Clients) => c.instance.getInstanceStats({})],
    ] as const
  ).map(([rpc, call]): Row => ({
    rpc,
    allowed: ["nobody", call],
    denied: ["no credentials", call, Code.Unauthenticated],
  })),
  {
    rpc: "enumerateTypes",
    allowed: ["shopper", (c) => c.facts.enumerateTypes({ embeddedString: "shop" })],
    denied: ["shopper", (c) => c.facts.enumerateTypes({ embeddedString: "billing" }), Code.PermissionDenied],
  },
  {
    rpc: "enumerateVersions",
    allowed: ["analyst", (c) => c.facts.enumerateVersions({ ns: "billing", type: "Invoice" })],
    denied: ["analyst", (c) => c.facts.enumerateVersions({ ns: "secret-hr", type: "Salary" }), Code.PermissionDenied],
  },
  {
    rpc: "stateForSpecsJson",
    allowed: ["shopper", (c) => c.facts.stateForSpecsJson(specsJson("shop"))],
    denied: ["shopper", (c) => c.facts.stateForSpecsJson(specsJson("shop", "billing")), Code.PermissionDenied],
  },
  {
    rpc: "currentStateForSpecsJson",
    allowed: ["analyst", (c) => c.facts.currentStateForSpecsJson(specsJson("billing"))],
    denied: ["analyst", (c) => c.facts.currentStateForSpecsJson(specsJson("secret-hr")), Code.PermissionDenied],
  },
  {
    rpc: "stateFor",
    allowed: ["shopper", (c) => c.facts.stateFor(create(MSG_StateForRequestSchema, { nsPresent: true, ns: "shop" }))],
    // No namespace means every namespace.
    denied: ["shopper", (c) => c.facts.stateFor(create(MSG_StateForRequestSchema, {})), Code.PermissionDenied],
  },
  {
    rpc: "getCatalog ns",
    allowed: ["shopper", (c) => c.catalog.getCatalog({ ns: "catalog-eu" })],
    denied: ["analyst", (c) => c.catalog.getCatalog({ ns: "secret-hr" }), Code.PermissionDenied],
  },
  {
    rpc: "queryFacts ns",
    allowed: ["shopper", (c) => c.query.queryFacts({ filters: [{ ns: "catalog-eu" }] })],
    denied: ["shopper", (c) => c.query.queryFacts({ filters: [{ ns: "billing" }] }), Code.PermissionDenied],
  },
  {
    rpc: "registerSchema",
    allowed: [
      "shopper",
      (c) => c.schemas.registerSchema({ key: { ns: "shop", type: "Order", version: 2 }, schemaJson: SCHEMA }),
    ],
    // May read catalog-eu, but managing its schemas is another permission.
    denied: [
      "shopper",
      (c) => c.schemas.registerSchema({ key: { ns: "catalog-eu", type: "Item", version: 1 }, schemaJson: SCHEMA }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "listSchemas ns",
    allowed: ["analyst", (c) => c.schemas.listSchemas({ ns: "shop" })],
    denied: ["analyst", (c) => c.schemas.listSchemas({ ns: "secret-hr" }), Code.PermissionDenied],
  },
  {
    rpc: "getSchema",
    allowed: ["analyst", (c) => c.schemas.getSchema({ key: { ns: "shop", type: "Order", version: 1 } })],
    denied: [
      "analyst",
      (c) => c.schemas.getSchema({ key: { ns: "secret-hr", type: "Salary", version: 1 } }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "validatePayload",
    allowed: [
      "shopper",
      (c) => c.schemas.validatePayload({ key: { ns: "shop", type: "Order", version: 1 }, payloadJson: "{}" }),
    ],
    denied: [
      "shopper",
      (c) => c.schemas.validatePayload({ key: { ns: "secret-hr", type: "Salary", version: 1 }, payloadJson: "{}" }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "checkCandidate",
    allowed: [
      "analyst",
      (c) => c.schemas.checkCandidate({ key: { ns: "billing", type: "Invoice", version: 1 }, schemaJson: SCHEMA }),
    ],
    denied: [
      "analyst",
      (c) => c.schemas.checkCandidate({ key: { ns: "secret-hr", type: "Salary", version: 2 }, schemaJson: SCHEMA }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "compareVersions",
    allowed: ["shopper", (c) => c.schemas.compareVersions({ ns: "shop", type: "Order", fromVersion: 1, toVersion: 1 })],
    denied: [
      "shopper",
      (c) => c.schemas.compareVersions({ ns: "secret-hr", type: "Salary", fromVersion: 1, toVersion: 1 }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "deleteSchema",
    allowed: ["shopper", (c) => c.schemas.deleteSchema({ key: { ns: "shop", type: "Order", version: 2 } })],
    denied: [
      "analyst",
      (c) => c.schemas.deleteSchema({ key: { ns: "shop", type: "Order", version: 1 } }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "importRegistry",
    allowed: ["shopper", (c) => c.schemas.importRegistry({ files: importFiles("shop") })],
    // All or nothing: shop would be allowed, catalog-eu is not, so neither is imported.
    denied: [
      "shopper",
      (c) => c.schemas.importRegistry({ files: importFiles("shop", "catalog-eu") }),
      Code.PermissionDenied,
    ],
  },
  {
    rpc: "exportRegistry ns",
    allowed: ["analyst", (c) => c.schemas.exportRegistry({ ns: "shop" })],
    denied: ["analyst", (c) => c.schemas.exportRegistry({ ns: "secret-hr" }), Code.PermissionDenied],
  },
];

describe("every RPC, allowed and refused", () => {
  // In table order: registerSchema's allowed call makes the version deleteSchema's allowed call deletes.
  for (const row of rows) {
    it(`${row.rpc}: ${row.allowed[0]} may, ${row.denied[0]} gets ${Code[row.denied[2]]} and nothing is written`, async () => {
      await row.allowed[1](as[row.allowed[0]]);
      const before = await snapshot();
      const [who, call, code] = row.denied;
      const failure = await expectFailure(call(who === "no credentials" ? anonymous : as[who]));
      expect(failure.code, failure.message).toBe(code);
      if (code === Code.PermissionDenied) expect(failure.message).toMatch(new RegExp(`^account "${who}" may not`));
      expect(await snapshot()).toEqual(before);
    });
  }
});

describe("enumerations and the admin catalog show only readable namespaces", () => {
  const visible = async (c: Clients) => ({
    namespaces: [...(await c.facts.enumerateNamespaces({})).embeddedString].sort(),
    catalog: [...new Set((await c.catalog.getCatalog({})).entries.map((e) => e.ns))].sort(),
    queried: [...new Set((await c.query.queryFacts({ limit: 1000 })).facts.map((f) => JSON.parse(f.header).ns))].sort(),
    schemas: [...new Set((await c.schemas.listSchemas({})).schemas.map((s) => s.key!.ns))].sort(),
    unschematized: [...new Set((await c.schemas.listSchemas({})).unschematized.map((s) => s.ns))].sort(),
    exported: Object.keys((await c.schemas.exportRegistry({})).files).filter((f) => f !== "index.json"),
  });

  it("shopper: shop and catalog* only", async () => {
    const seen = await visible(as.shopper);
    expect(seen.namespaces).toEqual(["catalog-eu", "shop"]);
    expect(seen.catalog).toEqual(["catalog-eu", "shop"]);
    expect(seen.queried).toEqual(["catalog-eu", "shop"]);
    expect(seen.schemas).toEqual(["shop"]);
    expect(seen.unschematized).toEqual(["catalog-eu"]);
    expect(seen.exported.every((f) => f.startsWith("shop/"))).toBe(true);
  });

  it("analyst: everything except secret*", async () => {
    const seen = await visible(as.analyst);
    for (const list of [seen.namespaces, seen.catalog, seen.queried]) {
      expect(list).toEqual(["billing", "catalog-eu", "shop"]);
    }
    expect(seen.schemas).toEqual(["shop"]);
    expect(seen.exported.some((f) => f.startsWith("secret-hr/"))).toBe(false);
  });

  it("nobody: nothing at all, not even counts", async () => {
    const seen = await visible(as.nobody);
    expect(seen).toEqual({ namespaces: [], catalog: [], queried: [], schemas: [], unschematized: [], exported: [] });
  });

  it("admin: everything", async () => {
    expect((await visible(as.admin)).namespaces).toEqual(["billing", "catalog-eu", "secret-hr", "shop"]);
  });
});

describe("who registered a schema is the authenticated account", () => {
  it("ignores the registered_by the caller sends", async () => {
    await as.shopper.schemas.registerSchema({
      key: { ns: "shop", type: "Refund", version: 1 },
      schemaJson: SCHEMA,
      registeredBy: "mallory",
    });
    const got = await as.admin.schemas.getSchema({ key: { ns: "shop", type: "Refund", version: 1 } });
    expect(got.schema!.registeredBy).toBe("shopper");
    const imported = await as.admin.schemas.getSchema({ key: { ns: "shop", type: "Imported", version: 1 } });
    expect(imported.schema!.registeredBy).toBe("shopper");
  });
});
