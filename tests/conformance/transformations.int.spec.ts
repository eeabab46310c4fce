// Transformations as a FactCast client meets them, over real gRPC: facts fetched and subscribed as
// other versions (one step, a two-step chain, a downcast without code), FactCast's exceptions when
// no chain leads there or a step fails, and the facts that need nothing passed on untouched.
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import type { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import type { TransformationService } from "../../gen/factline/admin/v1/transformations_pb.js";
import { Code, expectFailure, toMsgUuid } from "../support/client.js";
import { fact, idOf, parseFact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";
const TRANSFORMATION_EXCEPTION = "org.factcast.core.subscription.TransformationException";

let fx: StoreFixture;
let registry: Client<typeof SchemaRegistryService>;
let transformations: Client<typeof TransformationService>;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("transformations");
  const admin = createStoreClient({ url: fx.store.url, clientId: "transformations-test" });
  registry = admin.registry;
  transformations = admin.transformations;
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

const schema = (required: string[]) =>
  JSON.stringify({
    type: "object",
    required,
    properties: Object.fromEntries(required.map((r) => [r, { type: "string" }])),
  });

/**
 * FactCast's example type: UserCreated 1 (names), 2 (adds salutation), 3 (adds displayName), with
 * upcasts 1→2 and 2→3 and no downcast code (3→2 and 2→1 are synthetic identities).
 */
async function userCreated(): Promise<{ ns: string; type: string }> {
  const ns = uniqueName("users");
  const type = "UserCreated";
  await registry.registerSchema({ key: { ns, type, version: 1 }, schemaJson: schema(["firstName", "lastName"]) });
  await registry.registerSchema({
    key: { ns, type, version: 2 },
    schemaJson: schema(["firstName", "lastName", "salutation"]),
  });
  await registry.registerSchema({
    key: { ns, type, version: 3 },
    schemaJson: schema(["firstName", "lastName", "salutation", "displayName"]),
  });
  await transformations.registerTransformation({
    key: { ns, type, fromVersion: 1, toVersion: 2 },
    code: `function transform(event) {\n  event.salutation = "NA"\n}`,
  });
  await transformations.registerTransformation({
    key: { ns, type, fromVersion: 2, toVersion: 3 },
    code: `function (e) { e.displayName = e.firstName + " " + e.lastName; }`,
  });
  return { ns, type };
}

const idAndVersion = (id: string, ver: number) => {
  const { msb, lsb } = toMsgUuid(id);
  return { msb, lsb, ver };
};

const fetchAs = async (id: string, ver: number) => {
  const res = await fx.client.fetchByIdAndVersion(idAndVersion(id, ver));
  return res.present && res.fact ? parseFact(res.fact) : undefined;
};

describe("fetchByIdAndVersion", () => {
  it("returns a v1 fact as v2 and as v3 (a two-step chain); only the header's version changes", async () => {
    const { ns, type } = await userCreated();
    const published = fact({
      ns,
      type,
      version: 1,
      aggIds: [crypto.randomUUID()],
      meta: { tenant: "acme" },
      payload: { firstName: "Ada", lastName: "Lovelace" },
    });
    await publish(fx.client, [published]);
    const stored = (await fetchAs(idOf(published), 0))!;

    const v2 = (await fetchAs(idOf(published), 2))!;
    expect(JSON.parse(v2.payloadText)).toEqual({ firstName: "Ada", lastName: "Lovelace", salutation: "NA" });
    expect(v2.header).toEqual({ ...stored.header, version: 2 });

    const v3 = (await fetchAs(idOf(published), 3))!;
    expect(JSON.parse(v3.payloadText)).toEqual({
      firstName: "Ada",
      lastName: "Lovelace",
      salutation: "NA",
      displayName: "Ada Lovelace",
    });
    expect(v3.header).toEqual({ ...stored.header, version: 3 });
  });

  it("returns a fact untouched as its own version or as version 0, byte for byte", async () => {
    const { ns, type } = await userCreated();
    const published = fact({ ns, type, version: 1, payload: `{ "firstName" : "Ada", "lastName": "L" }` });
    await publish(fx.client, [published]);
    const asPublished = (await fetchAs(idOf(published), 0))!;
    expect(asPublished.payloadText).toBe(published.payload);
    expect((await fetchAs(idOf(published), 1))!.payloadText).toBe(published.payload);
  });

  it("downcasts without code: a v3 fact as v1 passes through the synthetic identities, validated", async () => {
    const { ns, type } = await userCreated();
    const published = fact({
      ns,
      type,
      version: 3,
      payload: { firstName: "Ada", lastName: "L", salutation: "Mrs", displayName: "Ada L" },
    });
    await publish(fx.client, [published]);
    const v1 = (await fetchAs(idOf(published), 1))!;
    expect(v1.version).toBe(1);
    expect(JSON.parse(v1.payloadText)).toEqual(JSON.parse(published.payload));
  });

  it("fails with MissingTransformationInformationException when no chain leads to the version", async () => {
    const { ns, type } = await userCreated();
    const published = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    const untyped = fact({ ns, version: 1, payload: {} });
    await publish(fx.client, [published, untyped]);
    for (const [id, ver] of [
      [idOf(published), 4],
      [idOf(untyped), 2],
    ] as const) {
      const err = await expectFailure(fx.client.fetchByIdAndVersion(idAndVersion(id, ver)));
      expect(err.code).toBe(Code.Unknown);
      expect(err.exception).toBe(MISSING_TRANSFORMATION);
      expect(err.exceptionMessage).toContain(id);
    }
  });

  it("fails with TransformationException, naming the fact, the step and the error, when a result is invalid", async () => {
    const { ns, type } = await userCreated();
    await transformations.registerTransformation({
      key: { ns, type, fromVersion: 2, toVersion: 3 },
      code: `function (e) { e.displayName = 42; }`,
      force: true,
      reason: "a broken step, on purpose",
    });
    const published = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    await publish(fx.client, [published]);
    const err = await expectFailure(fx.client.fetchByIdAndVersion(idAndVersion(idOf(published), 3)));
    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(TRANSFORMATION_EXCEPTION);
    expect(err.exceptionMessage).toContain(idOf(published));
    expect(err.exceptionMessage).toContain("chain [1, 2, 3]");
    expect(err.exceptionMessage).toContain("/displayName must be string");
  });

  it("a fact that does not exist is absent, whatever the version", async () => {
    expect(await fetchAs(crypto.randomUUID(), 3)).toBeUndefined();
  });
});
