// Registering, listing, reading and deleting schema versions over gRPC, and every way a caller can
// get a registration wrong (each: the code, a message saying what to fix, nothing changed).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, expectFailure } from "../support/client.js";
import { fact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { objectSchema, registryClient, type RegistryClient } from "./support.js";

let fx: StoreFixture;
let registry: RegistryClient;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("registry");
  registry = registryClient(fx.store.url);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("registration", () => {
  it("stores a version exactly as sent, with hash, revision, who and examples", async () => {
    const ns = uniqueName("reg");
    const schema = objectSchema(["name"]).replace("{", "{ ");
    const res = await registry.registerSchema({
      key: { ns, type: "UserCreated", version: 1 },
      schemaJson: schema,
      description: "a user was created",
      examples: ['{"name":"Ada"}'],
    });
    expect(res.unchanged).toBe(false);
    const got = (await registry.getSchema({ key: { ns, type: "UserCreated", version: 1 } })).schema!;
    expect(got.schemaJson).toBe(schema);
    expect(got.hash).toBe(createHash("md5").update(schema).digest("hex"));
    expect(got.revision).toBe(1);
    // The authenticated account, never a name the caller sends; a store without an access file runs open.
    expect(got.registeredBy).toBe("anonymous");
    expect(got.description).toBe("a user was created");
    expect(got.examples.map((e) => JSON.parse(e))).toEqual([{ name: "Ada" }]);
    expect(Math.abs(Number(got.registeredMs) - Date.now())).toBeLessThan(10_000);
  });

  it("keeps versions immutable: same schema is a no-op, another needs force and a reason, and is recorded", async () => {
    const key = { ns: uniqueName("imm"), type: "T", version: 1 };
    await registry.registerSchema({ key, schemaJson: objectSchema(["a"]) });
    expect((await registry.registerSchema({ key, schemaJson: objectSchema(["a"]) })).unchanged).toBe(true);

    const conflict = await expectFailure(registry.registerSchema({ key, schemaJson: objectSchema(["b"]) }));
    expect(conflict.code).toBe(Code.FailedPrecondition);
    expect(conflict.message).toContain("versions are immutable");
    const noReason = await expectFailure(
      registry.registerSchema({ key, schemaJson: objectSchema(["b"]), force: true }),
    );
    expect(noReason.code).toBe(Code.InvalidArgument);
    expect(noReason.message).toContain("reason");
    expect((await registry.getSchema({ key })).schema!.schemaJson).toBe(objectSchema(["a"]));

    const forced = await registry.registerSchema({
      key,
      schemaJson: objectSchema(["b"]),
      force: true,
      reason: "typo in field name",
    });
    expect(forced.replaced).toBe(true);
    const { schema, history } = await registry.getSchema({ key });
    expect(schema!.revision).toBe(2);
    expect(schema!.schemaJson).toBe(objectSchema(["b"]));
    expect(history.map((h) => [h.revision, h.schemaJson, h.reason])).toEqual([
      [1, objectSchema(["a"]), "typo in field name"],
    ]);
  });

  it.each([
    ["schema text that is not JSON", { schemaJson: "{type:" }, Code.InvalidArgument, "not valid JSON"],
    ["a schema violating the meta-schema", { schemaJson: '{"type":5}' }, Code.InvalidArgument, "/type"],
    [
      "an unsupported $schema",
      { schemaJson: '{"$schema":"http://example.com/mine"}' },
      Code.InvalidArgument,
      "unsupported $schema",
    ],
    [
      "a pattern that is not a regex",
      { schemaJson: '{"type":"string","pattern":"("}' },
      Code.InvalidArgument,
      "not a valid JSON Schema",
    ],
    ["version 0", { key: { ns: "x", type: "T", version: 0 } }, Code.InvalidArgument, "key.version"],
    ["a blank namespace", { key: { ns: " ", type: "T", version: 1 } }, Code.InvalidArgument, "key.ns"],
    ["a blank type", { key: { ns: "x", type: "", version: 1 } }, Code.InvalidArgument, "key.type"],
    ["no key", { key: undefined }, Code.InvalidArgument, "key is required"],
    ["an example that is not JSON", { examples: ["{"] }, Code.InvalidArgument, "examples[0] is not valid JSON"],
    ["an example the schema rejects", { examples: ['{"name":1}'] }, Code.InvalidArgument, "examples[0] does not match"],
  ])("rejects %s, registering nothing", async (_name, override, code, message) => {
    const key = { ns: uniqueName("bad"), type: "T", version: 1 };
    const error = await expectFailure(
      registry.registerSchema({ key, schemaJson: objectSchema(["name"]), ...override }),
    );
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect((await expectFailure(registry.getSchema({ key }))).code).toBe(Code.NotFound);
  });
});

describe("listing and enumeration", () => {
  it("lists by namespace and type, and names types that have facts but no schema", async () => {
    const ns = uniqueName("list");
    for (const [type, version] of [
      ["A", 1],
      ["A", 2],
      ["B", 1],
    ] as const) {
      await registry.registerSchema({ key: { ns, type, version }, schemaJson: objectSchema([]) });
    }
    await publish(fx.client, [fact({ ns, type: "Loose" }), fact({ ns, type: "A", version: 1 })]);
    const all = await registry.listSchemas({ ns });
    expect(all.schemas.map((s) => `${s.key!.type}/${s.key!.version}`)).toEqual(["A/1", "A/2", "B/1"]);
    expect(all.schemas.every((s) => s.schemaJson === "")).toBe(true);
    expect(all.schemas.find((s) => s.key!.type === "A" && s.key!.version === 1)!.factCount).toBe(1n);
    expect(all.unschematized.map((k) => k.type)).toEqual(["Loose"]);
    expect((await registry.listSchemas({ ns, type: "A" })).schemas.length).toBe(2);
  });

  it("makes registered types visible to FactCast's enumerate calls before any fact exists", async () => {
    const ns = uniqueName("enum");
    await registry.registerSchema({ key: { ns, type: "Planned", version: 3 }, schemaJson: objectSchema([]) });
    expect((await fx.client.enumerateNamespaces({})).embeddedString).toContain(ns);
    expect((await fx.client.enumerateTypes({ embeddedString: ns })).embeddedString).toEqual(["Planned"]);
    expect((await fx.client.enumerateVersions({ ns, type: "Planned" })).embeddedInteger).toEqual([3]);
  });
});

describe("deletion", () => {
  it("deletes a version no fact uses, and refuses one that facts use", async () => {
    const ns = uniqueName("del");
    await registry.registerSchema({ key: { ns, type: "T", version: 1 }, schemaJson: objectSchema([]) });
    await registry.registerSchema({ key: { ns, type: "T", version: 2 }, schemaJson: objectSchema([]) });
    await publish(fx.client, [fact({ ns, type: "T", version: 1 })]);

    const inUse = await expectFailure(registry.deleteSchema({ key: { ns, type: "T", version: 1 } }));
    expect(inUse.code).toBe(Code.FailedPrecondition);
    expect(inUse.message).toContain("used by 1 stored fact");
    await registry.deleteSchema({ key: { ns, type: "T", version: 2 } });
    expect((await expectFailure(registry.getSchema({ key: { ns, type: "T", version: 2 } }))).code).toBe(Code.NotFound);
    expect((await expectFailure(registry.deleteSchema({ key: { ns, type: "T", version: 2 } }))).code).toBe(
      Code.NotFound,
    );
    expect((await registry.getSchema({ key: { ns, type: "T", version: 1 } })).schema).toBeDefined();
  });
});
