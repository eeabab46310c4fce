// The store and the FactCast example type shared by tests/conformance/transformations.int.spec.ts and
// transformations-hostile.int.spec.ts: each file starts its own store on a fresh database.
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import type { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import type { TransformationService } from "../../gen/factline/admin/v1/transformations_pb.js";
import { toMsgUuid } from "../support/client.js";
import { parseFact, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

export const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";
export const TRANSFORMATION_EXCEPTION = "org.factcast.core.subscription.TransformationException";

export interface TransformationStore {
  fx: StoreFixture;
  registry: Client<typeof SchemaRegistryService>;
  transformations: Client<typeof TransformationService>;
}

/** A store of the calling file's own, started before its tests and closed after them (fields set in beforeAll). */
export function useTransformationStore(label: string): TransformationStore {
  const ctx = {} as TransformationStore;
  beforeAll(async () => {
    // The sandbox's time limit is wall-clock; at the default 1 s a starved worker on a loaded machine
    // can reach it before a script that allocates without end reaches the memory limit, and the
    // hostile-code case would see the wrong limit named. 5 s keeps every limit's case its own.
    ctx.fx = await startStoreOnFreshDatabase(label, { env: { FACTLINE_SANDBOX_TIME_MS: "5000" } });
    const admin = createStoreClient({ url: ctx.fx.store.url, clientId: "transformations-test" });
    ctx.registry = admin.registry;
    ctx.transformations = admin.transformations;
  }, 90_000);
  afterAll(async () => {
    await ctx.fx?.close();
  }, 30_000);
  return ctx;
}

export const schema = (required: string[]) =>
  JSON.stringify({
    type: "object",
    required,
    properties: Object.fromEntries(required.map((r) => [r, { type: "string" }])),
  });

/**
 * FactCast's example type: UserCreated 1 (names), 2 (adds salutation), 3 (adds displayName), with
 * upcasts 1→2 and 2→3 and no downcast code (3→2 and 2→1 are synthetic identities).
 */
export async function userCreated(ctx: TransformationStore): Promise<{ ns: string; type: string }> {
  const ns = uniqueName("users");
  const type = "UserCreated";
  await ctx.registry.registerSchema({ key: { ns, type, version: 1 }, schemaJson: schema(["firstName", "lastName"]) });
  await ctx.registry.registerSchema({
    key: { ns, type, version: 2 },
    schemaJson: schema(["firstName", "lastName", "salutation"]),
  });
  await ctx.registry.registerSchema({
    key: { ns, type, version: 3 },
    schemaJson: schema(["firstName", "lastName", "salutation", "displayName"]),
  });
  await ctx.transformations.registerTransformation({
    key: { ns, type, fromVersion: 1, toVersion: 2 },
    code: `function transform(event) {\n  event.salutation = "NA"\n}`,
  });
  await ctx.transformations.registerTransformation({
    key: { ns, type, fromVersion: 2, toVersion: 3 },
    code: `function (e) { e.displayName = e.firstName + " " + e.lastName; }`,
  });
  return { ns, type };
}

export const idAndVersion = (id: string, ver: number) => {
  const { msb, lsb } = toMsgUuid(id);
  return { msb, lsb, ver };
};

export const fetchAs = async (ctx: TransformationStore, id: string, ver: number) => {
  const res = await ctx.fx.client.fetchByIdAndVersion(idAndVersion(id, ver));
  return res.present && res.fact ? parseFact(res.fact) : undefined;
};
