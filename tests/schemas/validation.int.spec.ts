// Validation on publish under each FACTLINE_VALIDATION policy: invalid facts reject the whole batch
// with FactCast's FactValidationException and nothing is written; the validator cache follows
// registrations made through another store instance on the same database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, expectFailure } from "../support/client.js";
import { fact, factsMsg, fetchById, idOf, latestSerial, publish, uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";
import { createFactStoreClient, type FactStoreClient } from "../support/client.js";
import { objectSchema, registryClient, type RegistryClient } from "./support.js";

const VALIDATION_EXCEPTION = "org.factcast.core.FactValidationException";

let fx: StoreFixture;
let registry: RegistryClient;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("validation");
  registry = registryClient(fx.store.url);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

const userSchema = objectSchema(["name", "email"], {
  email: { type: "string", format: "email" },
  age: { type: "integer", minimum: 0 },
});

async function registered(type = "UserCreated", schema = userSchema) {
  const ns = uniqueName("val");
  await registry.registerSchema({ key: { ns, type, version: 1 }, schemaJson: schema });
  return ns;
}

describe("policy registered (the default)", () => {
  it("accepts valid facts, and facts of versions without a schema", async () => {
    const ns = await registered();
    await publish(fx.client, [
      fact({ ns, type: "UserCreated", version: 1, payload: { name: "Ada", email: "ada@example.com" } }),
      fact({ ns, type: "UserCreated", version: 2, payload: { anything: true } }),
      fact({ ns, type: "Unregistered", version: 1, payload: {} }),
      fact({ ns, payload: {} }),
    ]);
  });

  it("rejects the whole batch when one fact is invalid, listing every error by pointer; nothing is written", async () => {
    const ns = await registered();
    const good = fact({ ns, type: "UserCreated", version: 1, payload: { name: "Ada", email: "ada@example.com" } });
    const bad = fact({ ns, type: "UserCreated", version: 1, payload: { email: "not-an-email", age: -3 } });
    const before = await latestSerial(fx.client);
    const error = await expectFailure(publish(fx.client, [good, bad]));
    expect(error.code).toBe(Code.Unknown);
    expect(error.exception).toBe(VALIDATION_EXCEPTION);
    expect(error.exceptionMessage).toContain(`fact[1] ${idOf(bad)}`);
    expect(error.exceptionMessage).toContain("/name must have required property 'name'");
    expect(error.exceptionMessage).toContain('/email must match format "email"');
    expect(error.exceptionMessage).toContain("/age must be >= 0");
    expect(await latestSerial(fx.client)).toBe(before);
    expect(await fetchById(fx.client, idOf(good))).toBeUndefined();
  });

  it("also validates conditional publishes", async () => {
    const ns = await registered();
    const error = await expectFailure(
      fx.client.publishConditional({
        facts: factsMsg([fact({ ns, type: "UserCreated", version: 1, payload: {} })]),
        tokenPresent: false,
      }),
    );
    expect(error.exception).toBe(VALIDATION_EXCEPTION);
  });

  it("honours $schema: 2020-12 and draft-04 schemas validate with their own rules", async () => {
    const ns = await registered(
      "Modern",
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: { tags: { type: "array", prefixItems: [{ type: "string" }], items: false } },
      }),
    );
    await publish(fx.client, [fact({ ns, type: "Modern", version: 1, payload: { tags: ["one"] } })]);
    expect(
      (
        await expectFailure(
          publish(fx.client, [fact({ ns, type: "Modern", version: 1, payload: { tags: ["one", "two"] } })]),
        )
      ).exception,
    ).toBe(VALIDATION_EXCEPTION);

    const old = uniqueName("val");
    await registry.registerSchema({
      key: { ns: old, type: "Legacy", version: 1 },
      schemaJson: JSON.stringify({
        $schema: "http://json-schema.org/draft-04/schema#",
        type: "object",
        properties: { n: { type: "number", maximum: 10, exclusiveMaximum: true } },
      }),
    });
    expect(
      (await expectFailure(publish(fx.client, [fact({ ns: old, type: "Legacy", version: 1, payload: { n: 10 } })])))
        .exception,
    ).toBe(VALIDATION_EXCEPTION);
  });

  it("validates a payload on request without publishing it", async () => {
    const ns = await registered();
    const res = await registry.validatePayload({
      key: { ns, type: "UserCreated", version: 1 },
      payloadJson: '{"name":1,"email":"x@y.z"}',
    });
    expect(res.valid).toBe(false);
    expect(res.errors.map((e) => [e.pointer, e.keyword])).toEqual([["/name", "type"]]);
    expect(
      (
        await registry.validatePayload({
          key: { ns, type: "UserCreated", version: 1 },
          payloadJson: '{"name":"a","email":"x@y.z"}',
        })
      ).valid,
    ).toBe(true);
    expect(
      (
        await expectFailure(
          registry.validatePayload({ key: { ns, type: "UserCreated", version: 9 }, payloadJson: "{}" }),
        )
      ).code,
    ).toBe(Code.NotFound);
    expect(
      (
        await expectFailure(
          registry.validatePayload({ key: { ns, type: "UserCreated", version: 1 }, payloadJson: "{" }),
        )
      ).code,
    ).toBe(Code.InvalidArgument);
  });
});

describe("other policies and instances", () => {
  let strict: RunningStore;
  let off: RunningStore;
  let other: RunningStore;
  beforeAll(async () => {
    [strict, off, other] = await Promise.all([
      startStore({ databaseUrl: fx.databaseUrl, env: { FACTLINE_VALIDATION: "strict" } }),
      startStore({ databaseUrl: fx.databaseUrl, env: { FACTLINE_VALIDATION: "off" } }),
      startStore({ databaseUrl: fx.databaseUrl }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([strict?.stop(), off?.stop(), other?.stop()]);
  });

  it("strict rejects facts that cannot be validated, as FactCast does", async () => {
    const ns = await registered();
    const client = createFactStoreClient(strict.url);
    await publish(client, [fact({ ns, type: "UserCreated", version: 1, payload: { name: "a", email: "a@b.c" } })]);
    for (const [input, message] of [
      [{ ns, type: "Unregistered", version: 1 }, "no schema is registered"],
      [{ ns, type: "UserCreated", version: 0 }, "not validatable"],
      [{ ns }, "not validatable"],
    ] as const) {
      const error = await expectFailure(publish(client, [fact({ ...input, payload: {} })]));
      expect(error.exception).toBe(VALIDATION_EXCEPTION);
      expect(error.exceptionMessage).toContain(message);
    }
  });

  it("off accepts what the schema would reject", async () => {
    const ns = await registered();
    await publish(createFactStoreClient(off.url), [
      fact({ ns, type: "UserCreated", version: 1, payload: { name: 5 } }),
    ]);
  });

  it("an instance enforces a schema registered through another instance from the very next publish", async () => {
    const ns = uniqueName("val");
    const elsewhere: FactStoreClient = createFactStoreClient(other.url);
    // The other instance has already accepted this (ns, type, version) while it had no schema.
    await publish(elsewhere, [fact({ ns, type: "Late", version: 1, payload: { x: 1 } })]);
    await registry.registerSchema({ key: { ns, type: "Late", version: 1 }, schemaJson: objectSchema(["required"]) });
    // No waiting for notifications: the append checks the registry generation under the writers' lock.
    const error = await expectFailure(publish(elsewhere, [fact({ ns, type: "Late", version: 1, payload: { x: 2 } })]));
    expect(error.exception).toBe(VALIDATION_EXCEPTION);
    await publish(elsewhere, [fact({ ns, type: "Late", version: 1, payload: { required: "yes" } })]);
  });

  it("a strict instance accepts facts of a version registered through another instance a moment ago", async () => {
    for (let i = 0; i < 5; i++) {
      const ns = await registered();
      await publish(createFactStoreClient(strict.url), [
        fact({ ns, type: "UserCreated", version: 1, payload: { name: "a", email: "a@b.c" } }),
      ]);
    }
  });
});
