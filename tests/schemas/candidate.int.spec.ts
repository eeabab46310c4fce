// Checking a candidate before registering it (validity, classified diff, dry run over stored facts),
// comparing registered versions, and moving registries in and out in FactCast's layout.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeKind } from "../../gen/factline/admin/v1/schemas_pb.js";
import { Code, expectFailure } from "../support/client.js";
import { fact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { objectSchema, registryClient, type RegistryClient } from "./support.js";

let fx: StoreFixture;
let registry: RegistryClient;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("candidate");
  registry = registryClient(fx.store.url);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("CheckCandidate", () => {
  const ns = uniqueName("cand");
  const v1 = objectSchema(["name"], { email: { type: "string" } });
  beforeAll(async () => {
    await registry.registerSchema({ key: { ns, type: "User", version: 1 }, schemaJson: v1 });
    // 30 facts: 10 without an email, 20 with one.
    await publish(
      fx.client,
      Array.from({ length: 30 }, (_, i) =>
        fact({
          ns,
          type: "User",
          version: 1,
          payload: i % 3 === 0 ? { name: `u${i}` } : { name: `u${i}`, email: `u${i}@x.io` },
        }),
      ),
    );
  });

  it("classifies the changes against the previous version and dry-runs the stored facts", async () => {
    const v2 = objectSchema(["name", "email"], { email: { type: "string" } });
    const report = await registry.checkCandidate({ key: { ns, type: "User", version: 2 }, schemaJson: v2 });
    expect(report.schemaValid).toBe(true);
    expect(report.exists).toBe(false);
    expect(report.comparedToVersion).toBe(1);
    expect(report.changes.map((c) => [c.path, c.kind])).toContainEqual(["/email", ChangeKind.FIELD_MADE_REQUIRED]);
    expect(report.breakingForWriters).toBe(true);
    expect(report.dryRun!.checked).toBe(30n);
    expect(report.dryRun!.failed).toBe(10n);
    expect(report.dryRun!.incomplete).toBe(false);
    const first = report.dryRun!.firstFailures[0];
    expect(first.errors.map((e) => e.pointer)).toEqual(["/email"]);
    expect(first.factId).toMatch(/^[0-9a-f-]{36}$/);
    // The candidate was only checked, not registered.
    expect((await expectFailure(registry.getSchema({ key: { ns, type: "User", version: 2 } }))).code).toBe(
      Code.NotFound,
    );
  });

  it("stops the dry run at its limit and says so", async () => {
    const report = await registry.checkCandidate({
      key: { ns, type: "User", version: 2 },
      schemaJson: objectSchema(["name"]),
      dryRunLimit: 7,
    });
    expect(report.dryRun!.checked).toBe(7n);
    expect(report.dryRun!.incomplete).toBe(true);
  });

  it("reports an invalid schema with pointers instead of failing", async () => {
    const report = await registry.checkCandidate({
      key: { ns, type: "User", version: 2 },
      schemaJson: '{"type":"object","properties":{"a":{"minLength":-1}}}',
    });
    expect(report.schemaValid).toBe(false);
    expect(report.schemaProblems.map((p) => p.pointer)).toContain("/properties/a/minLength");
    expect(report.dryRun?.checked ?? 0n).toBe(0n);
  });

  it("compares with the registered version itself when the candidate would replace it", async () => {
    const report = await registry.checkCandidate({ key: { ns, type: "User", version: 1 }, schemaJson: v1 });
    expect(report.exists).toBe(true);
    expect(report.unchanged).toBe(true);
    expect(report.comparedToVersion).toBe(1);
    expect(report.changes).toEqual([]);
  });
});

describe("CompareVersions", () => {
  it("returns the classified changes between two registered versions", async () => {
    const ns = uniqueName("cmp");
    await registry.registerSchema({
      key: { ns, type: "T", version: 1 },
      schemaJson: objectSchema(["a"], { b: { type: "integer" } }),
    });
    await registry.registerSchema({
      key: { ns, type: "T", version: 2 },
      schemaJson: objectSchema([], { b: { type: "number" } }),
    });
    const res = await registry.compareVersions({ ns, type: "T", fromVersion: 1, toVersion: 2 });
    const kinds = res.changes.map((c) => [c.path, c.kind]);
    expect(kinds).toContainEqual(["/b", ChangeKind.TYPE_WIDENED]);
    expect(res.breakingForReaders).toBe(true);
    expect((await expectFailure(registry.compareVersions({ ns, type: "T", fromVersion: 1, toVersion: 9 }))).code).toBe(
      Code.NotFound,
    );
  });
});

describe("FactCast registry layout", () => {
  function factcastRegistry(ns: string) {
    const schemas: Record<string, string> = {
      [`${ns}/UserCreated/1/schema.json`]: objectSchema(["name"]),
      [`${ns}/UserCreated/2/schema.json`]: objectSchema(["name", "email"]),
      [`${ns}/UserDeleted/1/schema.json`]: objectSchema(["reason"]),
    };
    const index = {
      schemes: Object.entries(schemas).map(([id, text]) => {
        const [n, type, version] = id.split("/");
        return { id, ns: n, type, version: Number(version), hash: createHash("md5").update(text).digest("hex") };
      }),
      transformations: [
        { id: `${ns}/UserCreated/2-1/transform.js`, ns, type: "UserCreated", from: 2, to: 1, hash: "x" },
      ],
    };
    return {
      "index.json": JSON.stringify(index),
      ...schemas,
      [`${ns}/UserCreated/2-1/transform.js`]: "function transform(e) {}",
    };
  }

  it("imports a FactCast registry, exports it back, and re-imports it unchanged", async () => {
    const ns = uniqueName("fc");
    const files = factcastRegistry(ns);
    expect(await registry.importRegistry({ files })).toMatchObject({
      imported: 3,
      unchanged: 0,
      replaced: 0,
      conflicts: [],
    });
    const exported = (await registry.exportRegistry({ ns })).files;
    const index = JSON.parse(exported["index.json"]) as { schemes: Array<{ id: string; hash: string }> };
    expect(index.schemes.map((s) => s.id).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f.endsWith("schema.json"))
        .sort(),
    );
    for (const scheme of index.schemes) {
      expect(JSON.parse(exported[scheme.id])).toEqual(JSON.parse(files[scheme.id as keyof typeof files]));
      expect(scheme.hash).toBe(createHash("md5").update(exported[scheme.id]).digest("hex"));
    }
    expect(await registry.importRegistry({ files: exported })).toMatchObject({ imported: 0, unchanged: 3 });
  });

  it("carries examples through export and import", async () => {
    const [from, to] = [uniqueName("ex"), uniqueName("ex")];
    await registry.registerSchema({
      key: { ns: from, type: "T", version: 1 },
      schemaJson: objectSchema(["a"]),
      examples: ['{"a":"x"}', '{"a":"y"}'],
    });
    const files = (await registry.exportRegistry({ ns: from })).files;
    const moved = Object.fromEntries(
      Object.entries(files).map(([path, text]) => [path.replaceAll(from, to), text.replaceAll(from, to)]),
    );
    await registry.importRegistry({ files: moved });
    const examples = (await registry.getSchema({ key: { ns: to, type: "T", version: 1 } })).schema!.examples;
    expect(examples.map((e) => JSON.parse(e))).toEqual([{ a: "x" }, { a: "y" }]);
  });

  it("reports conflicts instead of replacing, unless forced", async () => {
    const ns = uniqueName("fc");
    await registry.registerSchema({
      key: { ns, type: "UserCreated", version: 1 },
      schemaJson: objectSchema(["other"]),
    });
    const files = factcastRegistry(ns);
    const res = await registry.importRegistry({ files });
    expect(res.imported).toBe(2);
    expect(res.conflicts.map((k) => `${k.type}/${k.version}`)).toEqual(["UserCreated/1"]);
    expect((await registry.importRegistry({ files, force: true })).replaced).toBe(1);
    expect((await registry.getSchema({ key: { ns, type: "UserCreated", version: 1 } })).schema!.revision).toBe(2);
  });

  it("refuses a registry with a broken schema file, importing nothing", async () => {
    const ns = uniqueName("fc");
    const files = { ...factcastRegistry(ns), [`${ns}/UserDeleted/1/schema.json`]: "{ not json" };
    const error = await expectFailure(registry.importRegistry({ files }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toContain(`${ns}/UserDeleted/1/schema.json`);
    expect((await registry.listSchemas({ ns })).schemas).toEqual([]);
  });
});
