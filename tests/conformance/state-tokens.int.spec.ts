// Optimistic locking as `factcast.lock(...)` and Factus locked operations use it: state tokens,
// publishConditional and invalidate — including many clients racing for one aggregate.
import { create } from "@bufbuild/protobuf";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Code,
  createFactStoreClient,
  expectFailure,
  MSG_Notification_Type,
  spec,
  subscribe,
  toMsgUuid,
  type FactStoreClient,
  type SpecInput,
} from "../support/client.js";
import { fact, factsMsg, fetchById, idOf, latestSerial, publish, randomUUID, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import {
  MSG_ConditionalPublishRequestSchema,
  type MSG_Fact,
  type MSG_UUID,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("tokens");
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

const specsJson = (specs: SpecInput[]) => ({ json: JSON.stringify(specs.map(spec)) });

type TokenKind = "currentStateForSpecsJson" | "stateForSpecsJson";
const tokenFor = (kind: TokenKind, specs: SpecInput[], client: FactStoreClient = fx.client) =>
  client[kind](specsJson(specs));

async function publishIfUnchanged(
  facts: MSG_Fact[],
  token?: MSG_UUID,
  client: FactStoreClient = fx.client,
  headers?: Record<string, string>,
) {
  const req = create(MSG_ConditionalPublishRequestSchema, {
    facts: factsMsg(facts),
    tokenPresent: token !== undefined,
    ...(token ? { token } : {}),
  });
  return (await client.publishConditional(req, { headers })).success;
}

async function stored(f: MSG_Fact) {
  return (await fetchById(fx.client, idOf(f))) !== undefined;
}

describe.each(["currentStateForSpecsJson", "stateForSpecsJson"] as const)("tokens from %s", (kind) => {
  it("publishConditional succeeds when no matching fact was published since the token", async () => {
    const ns = uniqueName("lock");
    const agg = randomUUID();
    await publish(fx.client, [fact({ ns, type: "Opened", aggIds: [agg] })]);
    const token = await tokenFor(kind, [{ ns, aggIds: [agg] }]);

    const next = [fact({ ns, type: "Changed", aggIds: [agg] }), fact({ ns, type: "Changed", aggIds: [agg] })];
    expect(await publishIfUnchanged(next, token)).toBe(true);
    expect(await stored(next[0])).toBe(true);
    expect(await stored(next[1])).toBe(true);
  });

  it("publishConditional returns success=false and writes nothing after a matching fact", async () => {
    const ns = uniqueName("lock");
    const agg = randomUUID();
    const token = await tokenFor(kind, [{ ns, aggIds: [agg] }]);
    await publish(fx.client, [fact({ ns, type: "Concurrent", aggIds: [agg, randomUUID()] })]);
    const before = await latestSerial(fx.client);

    const attempt = [fact({ ns, type: "Changed", aggIds: [agg] }), fact({ ns, type: "Other" })];
    expect(await publishIfUnchanged(attempt, token)).toBe(false);
    expect(await latestSerial(fx.client)).toBe(before);
    expect(await stored(attempt[0])).toBe(false);
    expect(await stored(attempt[1])).toBe(false);
  });

  it("facts that do not match the specs do not invalidate the token", async () => {
    const ns = uniqueName("lock");
    const agg = randomUUID();
    const token = await tokenFor(kind, [{ ns, type: "Changed", aggIds: [agg] }]);
    await publish(fx.client, [
      fact({ ns: uniqueName("elsewhere"), type: "Changed", aggIds: [agg] }),
      fact({ ns, type: "Changed", aggIds: [randomUUID()] }),
      fact({ ns, type: "OtherType", aggIds: [agg] }),
    ]);
    const next = fact({ ns, type: "Changed", aggIds: [agg] });
    expect(await publishIfUnchanged([next], token)).toBe(true);
    expect(await stored(next)).toBe(true);
  });

  it("a token is single-use", async () => {
    const ns = uniqueName("lock");
    const token = await tokenFor(kind, [{ ns }]);
    expect(await publishIfUnchanged([fact({ ns, type: "First" })], token)).toBe(true);
    const second = fact({ ns: uniqueName("unrelated"), type: "Second" });
    expect(await publishIfUnchanged([second], token)).toBe(false);
    expect(await stored(second)).toBe(false);
  });

  it("an invalidated token fails", async () => {
    const ns = uniqueName("lock");
    const token = await tokenFor(kind, [{ ns }]);
    await fx.client.invalidate(token);
    const attempt = fact({ ns, type: "T" });
    expect(await publishIfUnchanged([attempt], token)).toBe(false);
    expect(await stored(attempt)).toBe(false);
  });

  it("rejects an empty or malformed spec list with INVALID_ARGUMENT", async () => {
    expect((await expectFailure(fx.client[kind]({ json: "[]" }))).code).toBe(Code.InvalidArgument);
    expect((await expectFailure(fx.client[kind]({ json: "[{" }))).code).toBe(Code.InvalidArgument);
    expect((await expectFailure(fx.client[kind]({ json: '[{"type":"x"}]' }))).code).toBe(Code.InvalidArgument);
  });
});

describe("token state", () => {
  it("an aggregate last touched long ago: only facts after the token count, however many came between", async () => {
    const ns = uniqueName("old");
    const agg = randomUUID();
    await publish(fx.client, [fact({ ns, type: "Opened", aggIds: [agg] })]);
    await publish(
      fx.client,
      Array.from({ length: 300 }, () => fact({ ns, type: "Other", aggIds: [randomUUID()] })),
    );
    const token = await tokenFor("stateForSpecsJson", [{ ns, aggIds: [agg] }]);
    expect(await publishIfUnchanged([fact({ ns, type: "Changed", aggIds: [agg] })], token)).toBe(true);
    const stale = await tokenFor("stateForSpecsJson", [{ ns, aggIds: [agg] }]);
    await publish(fx.client, [fact({ ns, type: "Changed", aggIds: [agg] })]);
    expect(await publishIfUnchanged([fact({ ns, type: "Changed", aggIds: [agg] })], stale)).toBe(false);
  });

  it("tokens stored before an upgrade ({specs, serialOfLastMatchingFact}, FactCast's shape) are still honoured", async () => {
    const ns = uniqueName("legacy");
    const agg = randomUUID();
    await publish(fx.client, [fact({ ns, type: "Opened", aggIds: [agg] })]);
    const last = await latestSerial(fx.client);
    const legacy = async () => {
      const id = randomUUID();
      const state = {
        specs: [{ ns, aggIds: [agg], version: 0, meta: {}, metaKeyExists: {}, aggIdProperties: {} }],
        serialOfLastMatchingFact: Number(last),
      };
      const client = new pg.Client({ connectionString: fx.databaseUrl });
      await client.connect();
      await client.query("INSERT INTO tokenstore (token, state) VALUES ($1, $2)", [id, JSON.stringify(state)]);
      await client.end();
      return toMsgUuid(id);
    };
    expect(await publishIfUnchanged([fact({ ns, type: "Changed", aggIds: [agg] })], await legacy())).toBe(true);
    // The fact just published matches and is newer than the stored serial.
    expect(await publishIfUnchanged([fact({ ns, type: "Changed", aggIds: [agg] })], await legacy())).toBe(false);
  });
});

describe("publishConditional", () => {
  it("invalidating an unknown or already used token is harmless", async () => {
    await fx.client.invalidate(toMsgUuid(randomUUID()));
    const token = await tokenFor("currentStateForSpecsJson", [{ ns: uniqueName("lock") }]);
    await fx.client.invalidate(token);
    await fx.client.invalidate(token);
  });

  it("an unknown token fails and writes nothing", async () => {
    const attempt = fact({ ns: uniqueName("lock"), type: "T" });
    expect(await publishIfUnchanged([attempt], toMsgUuid(randomUUID()))).toBe(false);
    expect(await stored(attempt)).toBe(false);
  });

  it("conditionally published facts get source/_ser/_ts and reach followers and enumerations", async () => {
    const ns = uniqueName("cond-visible");
    const follower = subscribe(fx.client, { specs: [{ ns }], continuous: true });
    try {
      await follower.waitForType(MSG_Notification_Type.Catchup);
      const token = await tokenFor("currentStateForSpecsJson", [{ ns }]);
      const f = fact({ ns, type: "Conditional", version: 4 });
      expect(await publishIfUnchanged([f], token, fx.client, { "fc-id": "locking-app" })).toBe(true);

      await follower.waitForFacts(1, 5_000);
      expect(follower.facts().map((x) => x.id)).toEqual([idOf(f)]);
      expect(follower.facts()[0].meta).toMatchObject({
        source: "locking-app",
        _ser: expect.any(Number),
        _ts: expect.any(Number),
      });
      expect((await fx.client.enumerateNamespaces({})).embeddedString).toContain(ns);
      expect((await fx.client.enumerateVersions({ ns, type: "Conditional" })).embeddedInteger).toEqual([4]);
    } finally {
      follower.cancel();
    }
  });

  it("without a token it is a plain publish", async () => {
    const f = fact({ ns: uniqueName("lock"), type: "T" });
    expect(await publishIfUnchanged([f])).toBe(true);
    expect(await stored(f)).toBe(true);
  });

  it("rejects bad input and duplicates like publish, writing nothing", async () => {
    const ns = uniqueName("lock");
    const existing = fact({ ns, type: "T" });
    await publish(fx.client, [existing]);
    const before = await latestSerial(fx.client);
    const valid = fact({ ns, type: "T" });

    const bad = fact({ ns, type: "T", version: -1 });
    const badErr = await expectFailure(
      publishIfUnchanged([valid, bad], await tokenFor("currentStateForSpecsJson", [{ ns }])),
    );
    expect(badErr.code).toBe(Code.InvalidArgument);

    const dup = fact({ ns, type: "T", id: idOf(existing) });
    const dupErr = await expectFailure(
      publishIfUnchanged([valid, dup], await tokenFor("currentStateForSpecsJson", [{ ns }])),
    );
    expect(dupErr.code).toBe(Code.Unknown);
    expect(dupErr.exception).toBe("org.factcast.core.DuplicateFactException");

    expect(await latestSerial(fx.client)).toBe(before);
    expect(await stored(valid)).toBe(false);
  });
});

describe("tokens for aggIdProperties specs", () => {
  it("are taken and checked correctly, even next to a payload PostgreSQL cannot turn into text", async () => {
    const ns = uniqueName("lock-props");
    const id = randomUUID();
    const specs = [{ ns, aggIdProperties: { "customer.id": id } }];
    // Either the store refuses this payload up front, or it must live with it afterwards.
    await publish(fx.client, [fact({ ns, payload: '{"customer":{"id":"\\u0000"}}' })]).catch((e: unknown) =>
      expect((e as { code?: Code }).code).toBe(Code.InvalidArgument),
    );

    const token = await tokenFor("stateForSpecsJson", specs);
    await publish(fx.client, [fact({ ns, payload: { customer: { id: randomUUID() } } })]);
    expect(await publishIfUnchanged([fact({ ns, payload: { customer: { id } } })], token)).toBe(true);

    const stale = await tokenFor("stateForSpecsJson", specs);
    await publish(fx.client, [fact({ ns, payload: { customer: { id: id.toUpperCase() } } })]);
    expect(await publishIfUnchanged([fact({ ns, payload: { customer: { id } } })], stale)).toBe(false);
  });
});

describe("stateFor (deprecated, namespace + aggregate ids)", () => {
  it("works like one spec per aggregate id in that namespace", async () => {
    const ns = uniqueName("statefor");
    const [a1, a2] = [randomUUID(), randomUUID()];
    const stateFor = () => fx.client.stateFor({ nsPresent: true, ns, aggIds: [toMsgUuid(a1), toMsgUuid(a2)] });

    const unaffected = await stateFor();
    await publish(fx.client, [
      fact({ ns, type: "T", aggIds: [randomUUID()] }),
      fact({ ns: uniqueName("x"), aggIds: [a1] }),
    ]);
    expect(await publishIfUnchanged([fact({ ns, type: "T", aggIds: [a1] })], unaffected)).toBe(true);

    const affected = await stateFor();
    await publish(fx.client, [fact({ ns, type: "T", aggIds: [a2] })]);
    const attempt = fact({ ns, type: "T", aggIds: [a1] });
    expect(await publishIfUnchanged([attempt], affected)).toBe(false);
    expect(await stored(attempt)).toBe(false);
  });
});

describe("racing clients", () => {
  const CLIENTS = 10;
  const ROUNDS = 5;

  it(`exactly one of ${CLIENTS} concurrent conditional publishes on one aggregate wins, every round`, async () => {
    const clients = Array.from({ length: CLIENTS }, () => createFactStoreClient(fx.store.url));
    const ns = uniqueName("race");
    const agg = randomUUID();
    const winners: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const tokens = await Promise.all(
        clients.map((c) => tokenFor("currentStateForSpecsJson", [{ ns, aggIds: [agg] }], c)),
      );
      const attempts = clients.map((_, i) =>
        fact({ ns, type: "Incremented", aggIds: [agg], payload: { round, client: i } }),
      );
      const results = await Promise.all(clients.map((c, i) => publishIfUnchanged([attempts[i]], tokens[i], c)));

      expect(results.filter(Boolean), `round ${round}: ${results}`).toHaveLength(1);
      const winner = attempts[results.indexOf(true)];
      winners.push(idOf(winner));
      const storedFlags = await Promise.all(attempts.map(stored));
      expect(storedFlags).toEqual(results);
    }
    expect(new Set(winners).size).toBe(ROUNDS);
  });
});
