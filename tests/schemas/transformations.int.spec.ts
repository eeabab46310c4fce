// The transformation registry over gRPC: register, list (with the synthetic identity downcasts and
// the missing upcasts), get, delete, check, try on a fact, and every way a caller can get a
// registration wrong (each: the code, a message saying what to fix, nothing changed).
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import type { TransformationService } from "../../gen/factline/admin/v1/transformations_pb.js";
import { Code, expectFailure } from "../support/client.js";
import { fact, idOf, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { objectSchema, registryClient, type RegistryClient } from "./support.js";

let fx: StoreFixture;
let registry: RegistryClient;
let transformations: Client<typeof TransformationService>;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("transformation_registry");
  registry = registryClient(fx.store.url);
  transformations = createStoreClient({ url: fx.store.url, clientId: "transformation-test" }).transformations;
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

const UPCAST = `function (e) { e.salutation = "NA"; }`;
const V2 = objectSchema(["firstName", "salutation"]);

/** A type with schemas 1 and 2 (salutation required from 2 on). */
async function userType(): Promise<{ ns: string; type: string }> {
  const ns = uniqueName("users");
  const type = "UserCreated";
  await registry.registerSchema({
    key: { ns, type, version: 1 },
    schemaJson: objectSchema(["firstName"]),
    examples: ['{"firstName":"Ada"}', '{"firstName":"Grace","salutation":"Mrs"}'],
  });
  await registry.registerSchema({ key: { ns, type, version: 2 }, schemaJson: V2 });
  return { ns, type };
}

describe("registering", () => {
  it("stores the code as sent, with hash, revision and who; the same code again changes nothing", async () => {
    const { ns, type } = await userType();
    const key = { ns, type, fromVersion: 1, toVersion: 2 };
    const res = await transformations.registerTransformation({ key, code: UPCAST, description: "salutation unknown" });
    expect(res.unchanged).toBe(false);
    const got = (await transformations.getTransformation({ key })).transformation!;
    expect(got.code).toBe(UPCAST);
    expect(got.revision).toBe(1);
    expect(got.registeredBy).toBe("anonymous");
    expect(got.description).toBe("salutation unknown");
    expect(got.hash).toMatch(/^[0-9a-f]{32}$/);
    expect((await transformations.registerTransformation({ key, code: UPCAST })).unchanged).toBe(true);
  });

  it("keeps code immutable: other code needs force and a reason, and the old code stays in the history", async () => {
    const { ns, type } = await userType();
    const key = { ns, type, fromVersion: 1, toVersion: 2 };
    await transformations.registerTransformation({ key, code: UPCAST });
    const other = `function (e) { e.salutation = "Mr"; }`;
    const conflict = await expectFailure(transformations.registerTransformation({ key, code: other }));
    expect(conflict.code).toBe(Code.FailedPrecondition);
    expect(conflict.message).toContain("immutable");
    const noReason = await expectFailure(transformations.registerTransformation({ key, code: other, force: true }));
    expect(noReason.code).toBe(Code.InvalidArgument);
    expect(noReason.message).toContain("reason");
    expect((await transformations.getTransformation({ key })).transformation!.code).toBe(UPCAST);

    const forced = await transformations.registerTransformation({
      key,
      code: other,
      force: true,
      reason: "wrong default",
    });
    expect(forced.replaced).toBe(true);
    const got = await transformations.getTransformation({ key });
    expect(got.transformation!.code).toBe(other);
    expect(got.transformation!.revision).toBe(2);
    expect(got.history.map((h) => [h.revision, h.code, h.reason])).toEqual([[1, UPCAST, "wrong default"]]);
  });

  it.each([
    ["no key", {}, Code.InvalidArgument, "key is required"],
    [
      "a blank namespace",
      { key: { ns: " ", type: "T", fromVersion: 1, toVersion: 2 } },
      Code.InvalidArgument,
      "key.ns",
    ],
    ["a blank type", { key: { ns: "n", type: "", fromVersion: 1, toVersion: 2 } }, Code.InvalidArgument, "key.type"],
    [
      "version 0",
      { key: { ns: "n", type: "T", fromVersion: 0, toVersion: 2 } },
      Code.InvalidArgument,
      "from_version must be 1 or more",
    ],
    [
      "the same version twice",
      { key: { ns: "n", type: "T", fromVersion: 2, toVersion: 2 } },
      Code.InvalidArgument,
      "changes the version",
    ],
  ])("refuses %s", async (_name, req, code, message) => {
    const failure = await expectFailure(transformations.registerTransformation({ code: UPCAST, ...req }));
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(message);
  });

  it("refuses code that does not compile or is not a function, an upcast without code, a target without schema, huge code", async () => {
    const { ns, type } = await userType();
    const up = { ns, type, fromVersion: 1, toVersion: 2 };
    const syntax = await expectFailure(
      transformations.registerTransformation({ key: up, code: "function (e) { e.x = ; }" }),
    );
    expect(syntax.code).toBe(Code.InvalidArgument);
    expect(syntax.message).toMatch(/does not compile: .*SyntaxError/);
    const notFunction = await expectFailure(transformations.registerTransformation({ key: up, code: "42" }));
    expect(notFunction.message).toContain("not a function");
    const noCode = await expectFailure(transformations.registerTransformation({ key: up, code: "  " }));
    expect(noCode.message).toContain("an upcast (1 → 2) needs code");
    const noSchema = await expectFailure(
      transformations.registerTransformation({ key: { ...up, toVersion: 3 }, code: UPCAST }),
    );
    expect(noSchema.message).toContain("no schema is registered for");
    const huge = await expectFailure(
      transformations.registerTransformation({ key: up, code: `function (e) { /*${"x".repeat(300_000)}*/ }` }),
    );
    expect(huge.message).toContain("at most");
    const listed = await transformations.listTransformations({ ns, type });
    expect(listed.transformations.filter((t) => !t.synthetic)).toEqual([]);
  });

  it("accepts a downcast without code, and lists it as registered, not synthetic", async () => {
    const { ns, type } = await userType();
    const key = { ns, type, fromVersion: 2, toVersion: 1 };
    await transformations.registerTransformation({ key, code: "" });
    const got = (await transformations.getTransformation({ key })).transformation!;
    expect([got.code, got.hash, got.synthetic]).toEqual(["", "", false]);
  });
});

describe("listing, reading, deleting", () => {
  it("lists registered transformations, synthetic downcasts between adjacent versions, and missing upcasts", async () => {
    const { ns, type } = await userType();
    await registry.registerSchema({ key: { ns, type, version: 3 }, schemaJson: V2 });
    await transformations.registerTransformation({ key: { ns, type, fromVersion: 1, toVersion: 2 }, code: UPCAST });
    const listed = await transformations.listTransformations({ ns });
    expect(listed.transformations.map((t) => [t.key!.fromVersion, t.key!.toVersion, t.synthetic, t.code])).toEqual([
      [1, 2, false, ""],
      [2, 1, true, ""],
      [3, 2, true, ""],
    ]);
    expect(listed.missing.map((m) => [m.key!.fromVersion, m.key!.toVersion])).toEqual([[2, 3]]);
    expect(listed.missing[0].reason).toContain("no upcast from version 2 to 3");
  });

  it("says NOT_FOUND for what is not registered, and deletes what is", async () => {
    const { ns, type } = await userType();
    const key = { ns, type, fromVersion: 1, toVersion: 2 };
    expect((await expectFailure(transformations.getTransformation({ key }))).code).toBe(Code.NotFound);
    expect((await expectFailure(transformations.deleteTransformation({ key }))).code).toBe(Code.NotFound);
    await transformations.registerTransformation({ key, code: UPCAST });
    await transformations.deleteTransformation({ key });
    expect((await expectFailure(transformations.getTransformation({ key }))).code).toBe(Code.NotFound);
  });

  it("the schema check names the upcasts a new version would lack", async () => {
    const { ns, type } = await userType();
    const check = await registry.checkCandidate({ key: { ns, type, version: 3 }, schemaJson: V2 });
    expect(check.missingTransformations.map((m) => [m.key!.fromVersion, m.key!.toVersion])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});

describe("checking a candidate", () => {
  it("runs it over the registered examples and the newest stored facts, validating each result", async () => {
    const { ns, type } = await userType();
    const facts = [
      fact({ ns, type, version: 1, payload: { firstName: "Alan" } }),
      fact({ ns, type, version: 1, payload: { firstName: "Barbara", salutation: 7 } }),
      fact({ ns, type, version: 1, payload: { firstName: "Edsger" } }),
    ];
    await publish(fx.client, facts);
    const key = { ns, type, fromVersion: 1, toVersion: 2 };
    // Keeps a salutation that is there: Barbara's 7 is not a string, so her result is invalid.
    const code = `function (e) { if (e.salutation === undefined) e.salutation = "NA"; }`;
    const check = await transformations.checkTransformation({ key, code });
    expect(check.compiles).toBe(true);
    expect(check.targetSchemaRegistered).toBe(true);
    expect([check.checked, check.passed, check.failed, check.examplesChecked]).toEqual([5n, 4n, 1n, 2n]);
    expect(check.firstFailures).toHaveLength(1);
    expect(check.firstFailures[0].factId).toBe(idOf(facts[1]));
    expect(check.firstFailures[0].errors.map((e) => e.pointer)).toEqual(["/salutation"]);
    expect([check.exists, check.sampleIncomplete, check.stopped]).toEqual([false, false, ""]);

    const newestFirst = await transformations.checkTransformation({ key, code, sampleLimit: 1 });
    expect(newestFirst.sampleIncomplete).toBe(true);
    expect(newestFirst.checked).toBe(3n);
    const throwing = await transformations.checkTransformation({
      key,
      code: `function (e) { if (e.firstName === "Alan") throw new Error("no Alans"); e.salutation = "NA"; }`,
    });
    expect([throwing.checked, throwing.passed, throwing.failed]).toEqual([5n, 4n, 1n]);
    expect(throwing.firstFailures[0].message).toContain("Error: no Alans");
  });

  it("reports a compile error instead of running, and stops at the first broken limit", async () => {
    const { ns, type } = await userType();
    await publish(fx.client, [fact({ ns, type, version: 1, payload: { firstName: "Ada" } })]);
    const key = { ns, type, fromVersion: 1, toVersion: 2 };
    const broken = await transformations.checkTransformation({ key, code: "function (e) {" });
    expect(broken.compiles).toBe(false);
    expect(broken.compileError).toContain("SyntaxError");
    const looping = await transformations.checkTransformation({ key, code: "function (e) { for (;;) {} }" });
    expect(looping.failed).toBe(1n);
    expect(looping.firstFailures[0].message).toContain("time limit");
    expect(looping.stopped).toContain("limit");
  });

  it.each([
    ["a negative sample", { sampleLimit: -1 }, "sample_limit"],
    ["a sample beyond the bound", { sampleLimit: 1_000_000 }, "sample_limit"],
    ["an upcast without code", { code: "" }, "needs code"],
  ])("refuses %s", async (_name, req, message) => {
    const failure = await expectFailure(
      transformations.checkTransformation({
        key: { ns: "n", type: "T", fromVersion: 1, toVersion: 2 },
        code: UPCAST,
        ...req,
      }),
    );
    expect(failure.code).toBe(Code.InvalidArgument);
    expect(failure.message).toContain(message);
  });
});

describe("one fact as another version", () => {
  it("answers the payload, the chain, the versions within reach, or why not", async () => {
    const { ns, type } = await userType();
    const published = fact({ ns, type, version: 1, payload: { firstName: "Ada" } });
    await publish(fx.client, [published]);
    const factId = idOf(published);
    const missing = await transformations.transformFact({ factId, version: 2 });
    expect(missing.failureKind).toBe("missing");
    expect(missing.reachableVersions).toEqual([1]);

    await transformations.registerTransformation({ key: { ns, type, fromVersion: 1, toVersion: 2 }, code: UPCAST });
    const v2 = await transformations.transformFact({ factId, version: 2 });
    expect(v2.failure).toBe("");
    expect(JSON.parse(v2.transformedPayloadJson)).toEqual({ firstName: "Ada", salutation: "NA" });
    expect(JSON.parse(v2.transformedHeaderJson).version).toBe(2);
    expect(v2.chain.map((s) => [s.fromVersion, s.toVersion, s.hasCode, s.synthetic])).toEqual([[1, 2, true, false]]);
    expect(v2.reachableVersions).toEqual([1, 2]);

    const tried = await transformations.transformFact({
      factId,
      version: 2,
      candidate: { key: { ns, type, fromVersion: 1, toVersion: 2 }, code: `function (e) { e.salutation = 1; }` },
    });
    expect(tried.failureKind).toBe("transformation");
    expect(tried.failure).toContain("/salutation");

    expect((await expectFailure(transformations.transformFact({ version: 2 }))).code).toBe(Code.InvalidArgument);
    expect((await expectFailure(transformations.transformFact({ factId: "nope", version: 2 }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await expectFailure(transformations.transformFact({ serial: 999_999n, version: 2 }))).code).toBe(
      Code.NotFound,
    );
  });
});
