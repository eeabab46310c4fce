// FactSpec matching (store/facts/spec.ts, store/storage/spec-sql.ts, and filter scripts in
// store/transformations/delivery.ts): which facts a subscription delivers. Every row runs twice —
// facts published before subscribing (catch-up path) and after the Catchup notification (follow
// path) — because the store answers the two from different code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catchUp,
  Code,
  expectWellFormed,
  MSG_Notification_Type as T,
  subscribe,
  type SpecInput,
} from "../support/client.js";
import { fact, idOf, publish, randomUUID, uniqueName, type FactInput } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

interface Case {
  /** Published in this order, in one batch; labels name them in `expected`. */
  facts: Record<string, FactInput>;
  specs: SpecInput[];
  /** Labels of the facts that must be delivered (in publish order, each once). */
  expected: string[];
}

/** Fresh names per run, so rows never see each other's facts (ns "*" rows add a unique type). */
function names() {
  const tag = randomUUID().slice(0, 8);
  return { ns: `match-${tag}`, ns2: `match2-${tag}`, type: `Type-${tag}`, type2: `Other-${tag}`, tag };
}

const rows: Array<{ name: string; build: () => Case }> = [
  {
    name: "ns exact",
    build: () => {
      const { ns, ns2 } = names();
      return {
        facts: { a: { ns }, b: { ns: ns2 }, c: { ns: `${ns}x` }, d: { ns: ns.toUpperCase() } },
        specs: [{ ns }],
        expected: ["a"],
      };
    },
  },
  {
    name: "ns * matches any namespace",
    build: () => {
      const { ns, ns2, type, type2 } = names();
      return {
        facts: { a: { ns, type }, b: { ns: ns2, type }, c: { ns, type: type2 } },
        specs: [{ ns: "*", type }],
        expected: ["a", "b"],
      };
    },
  },
  {
    name: "type exact",
    build: () => {
      const { ns, type, type2 } = names();
      return {
        facts: { a: { ns, type }, b: { ns, type: type2 }, c: { ns }, d: { ns, type: `${type}x` } },
        specs: [{ ns, type }],
        expected: ["a"],
      };
    },
  },
  ...[null, "*"].map((anyType) => ({
    name: `type ${JSON.stringify(anyType)} matches any type`,
    build: (): Case => {
      const { ns, ns2, type, type2 } = names();
      return {
        facts: { a: { ns, type }, b: { ns, type: type2 }, c: { ns }, d: { ns: ns2, type } },
        specs: [{ ns, type: anyType }],
        expected: ["a", "b", "c"],
      };
    },
  })),
  {
    name: "aggIds: the fact must contain all listed ids",
    build: () => {
      const { ns } = names();
      const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
      return {
        facts: {
          both: { ns, aggIds: [x, y] },
          extra: { ns, aggIds: [z, y, x] },
          onlyX: { ns, aggIds: [x] },
          onlyY: { ns, aggIds: [y] },
          none: { ns },
        },
        specs: [{ ns, aggIds: [x, y] }],
        expected: ["both", "extra"],
      };
    },
  },
  {
    name: "legacy aggId is treated as an aggIds entry",
    build: () => {
      const { ns } = names();
      const [x, y] = [randomUUID(), randomUUID()];
      return {
        facts: { a: { ns, aggIds: [x] }, b: { ns, aggIds: [y] }, c: { ns, aggIds: [y, x] }, d: { ns } },
        specs: [{ ns, extra: { aggId: x } }],
        expected: ["a", "c"],
      };
    },
  },
  {
    name: "meta k=v matches the scalar value",
    build: () => {
      const { ns } = names();
      return {
        facts: { a: { ns, meta: { k: "v" } }, b: { ns, meta: { k: "w" } }, c: { ns, meta: { o: "v" } }, d: { ns } },
        specs: [{ ns, meta: { k: "v" } }],
        expected: ["a"],
      };
    },
  },
  {
    name: "meta k=v matches a member of an array value",
    build: () => {
      const { ns } = names();
      return {
        facts: {
          member: { ns, meta: { k: ["x", "v"] } },
          notMember: { ns, meta: { k: ["x", "y"] } },
          scalar: { ns, meta: { k: "v" } },
          empty: { ns, meta: { k: [] } },
        },
        specs: [{ ns, meta: { k: "v" } }],
        expected: ["member", "scalar"],
      };
    },
  },
  {
    name: "meta with several keys: all must match",
    build: () => {
      const { ns } = names();
      return {
        facts: {
          all: { ns, meta: { k1: "a", k2: "b", k3: "c" } },
          oneMissing: { ns, meta: { k1: "a" } },
          oneWrong: { ns, meta: { k1: "a", k2: "x" } },
          viaArray: { ns, meta: { k1: ["a"], k2: ["z", "b"] } },
        },
        specs: [{ ns, meta: { k1: "a", k2: "b" } }],
        expected: ["all", "viaArray"],
      };
    },
  },
  ...[true, false].map((exists) => ({
    name: `metaKeyExists ${exists}`,
    build: (): Case => {
      const { ns } = names();
      return {
        facts: {
          scalar: { ns, meta: { k: "x" } },
          array: { ns, meta: { k: ["y"] } },
          other: { ns, meta: { K: "x" } },
          none: { ns },
        },
        specs: [{ ns, metaKeyExists: { k: exists } }],
        expected: exists ? ["scalar", "array"] : ["other", "none"],
      };
    },
  })),
  ...[false, true].map((upperInSpec) => ({
    name: `aggIdProperties compares the payload path case-insensitively (spec ${upperInSpec ? "upper" : "lower"} case)`,
    build: (): Case => {
      const { ns } = names();
      const id = randomUUID();
      return {
        facts: {
          lower: { ns, payload: { customer: { id } } },
          upper: { ns, payload: { customer: { id: id.toUpperCase(), name: "n" } } },
          otherId: { ns, payload: { customer: { id: randomUUID() } } },
          missingLeaf: { ns, payload: { customer: { name: id } } },
          notAnObject: { ns, payload: { customer: id } },
          topLevel: { ns, payload: { id } },
          inAggIdsOnly: { ns, aggIds: [id], payload: {} },
        },
        specs: [{ ns, aggIdProperties: { "customer.id": upperInSpec ? id.toUpperCase() : id } }],
        expected: ["lower", "upper"],
      };
    },
  })),
  {
    name: "several specs are OR-ed, and a fact matching two specs comes once",
    build: () => {
      const { ns, ns2, type, type2 } = names();
      return {
        facts: {
          a: { ns, type },
          b: { ns: ns2, type: type2 },
          c: { ns, type: type2 },
          d: { ns: `${ns2}x`, type: type2 },
        },
        specs: [
          { ns, type },
          { ns: ns2, type: type2 },
          { ns: "*", type },
        ],
        expected: ["a", "b"],
      };
    },
  },
  {
    name: "all parts of one spec are AND-ed",
    build: () => {
      const { ns, type, type2 } = names();
      const agg = randomUUID();
      const ok: FactInput = { ns, type, aggIds: [agg], meta: { k: "v", present: "1" } };
      return {
        facts: {
          ok,
          wrongType: { ...ok, type: type2 },
          wrongAgg: { ...ok, aggIds: [randomUUID()] },
          wrongMeta: { ...ok, meta: { k: "w", present: "1" } },
          missingKey: { ...ok, meta: { k: "v" } },
          forbiddenKey: { ...ok, meta: { k: "v", present: "1", absent: "x" } },
        },
        specs: [{ ns, type, aggIds: [agg], meta: { k: "v" }, metaKeyExists: { present: true, absent: false } }],
        expected: ["ok"],
      };
    },
  },
  {
    name: "quotes, backslashes and unicode in ns, type and meta are matched literally",
    build: () => {
      const { tag } = names();
      const ns = `n"s\\'ü😀 ${tag}`;
      const type = `t"y\\pe'${tag}`;
      const key = `k"e\\y.'ü`;
      const value = `v"a\\l'ü😀`;
      return {
        facts: {
          exact: { ns, type, meta: { [key]: value } },
          valueWithoutBackslash: { ns, type, meta: { [key]: value.replace("\\", "") } },
          keyWithoutQuote: { ns, type, meta: { [key.replace('"', "")]: value } },
          typeUnescaped: { ns, type: type.replace("\\", ""), meta: { [key]: value } },
        },
        specs: [{ ns, type, meta: { [key]: value }, metaKeyExists: { [key]: true } }],
        expected: ["exact"],
      };
    },
  },
  {
    name: "SQL, LIKE and JSONPath metacharacters are not interpreted",
    build: () => {
      const { tag } = names();
      const ns = `ns_%${tag}`;
      const pathKey = `a"."b`;
      return {
        facts: {
          literal: { ns, meta: { [pathKey]: "1", q: `x' OR '1'='1` } },
          likeWildcards: { ns: `nsX-${tag}`, meta: { [pathKey]: "1", q: `x' OR '1'='1` } },
          nested: { ns, meta: { a: "1", b: "1", q: `x' OR '1'='1` } },
          otherValue: { ns, meta: { [pathKey]: "1", q: "x" } },
        },
        specs: [{ ns, meta: { q: `x' OR '1'='1` }, metaKeyExists: { [pathKey]: true } }],
        expected: ["literal"],
      };
    },
  },
  {
    name: "filterScript: a fact matching the rest of the spec is delivered when the script returns true",
    build: () => {
      const { ns, ns2, type } = names();
      return {
        facts: {
          big: { ns, type, payload: { n: 5, tags: ["a"] } },
          small: { ns, type, payload: { n: 1 } },
          bigElsewhere: { ns: ns2, type, payload: { n: 9 } },
          bigNoType: { ns, payload: { n: 7 } },
        },
        specs: [{ ns, type, filterScript: js("function (header, payload) { return payload.n > 2; }") }],
        expected: ["big"],
      };
    },
  },
  {
    name: "filterScript sees the whole header (meta, aggIds, unknown attributes) as an object",
    build: () => {
      const { ns } = names();
      const agg = randomUUID();
      return {
        facts: {
          all: { ns, aggIds: [agg], meta: { k: ["x", "v"] }, extra: { hit: "me" } },
          noHit: { ns, aggIds: [agg], meta: { k: "v" } },
          noAgg: { ns, meta: { k: "v" }, extra: { hit: "me" } },
        },
        specs: [
          {
            ns,
            filterScript: js(
              `function named(h) { return h.hit === "me" && h.aggIds.indexOf("${agg}") >= 0 && String(h.meta.k).indexOf("v") >= 0; }`,
            ),
          },
        ],
        expected: ["all"],
      };
    },
  },
  {
    name: "jsFilterScript, as FactCast 0.4 clients send it, filters alike",
    build: () => {
      const { ns } = names();
      return {
        facts: { hit: { ns, extra: { hit: "me" } }, miss: { ns, meta: { foo: "bar" } } },
        specs: [{ ns, extra: { jsFilterScript: "function (h,e){ return (h.hit=='me')}" } }],
        expected: ["hit"],
      };
    },
  },
  {
    name: "a scripted spec OR-ed with a plain one: the plain one's facts come regardless of the script",
    build: () => {
      const { ns, type, type2 } = names();
      return {
        facts: { scripted: { ns, type, payload: { ok: true } }, rejected: { ns, type }, plain: { ns, type: type2 } },
        specs: [
          { ns, type, filterScript: js("function (h, p) { return p.ok === true; }") },
          { ns, type: type2 },
        ],
        expected: ["scripted", "plain"],
      };
    },
  },
  {
    name: "two specs with different scripts: a fact passes when any script of a spec it matches says true",
    build: () => {
      const { ns } = names();
      return {
        facts: { a: { ns, payload: { n: 1 } }, b: { ns, payload: { n: 2 } }, c: { ns, payload: { n: 3 } } },
        specs: [
          { ns, filterScript: js("function (h, p) { return p.n === 1; }") },
          { ns, filterScript: js("function (h, p) { return p.n === 3; }") },
        ],
        expected: ["a", "c"],
      };
    },
  },
];

/** A FactCast FilterScript. */
function js(source: string) {
  return { languageIdentifier: "js", source };
}

async function delivered(mode: "catch-up" | "follow", c: Case): Promise<string[]> {
  const batch = Object.values(c.facts).map((f) => fact(f));
  const labelOf = new Map(batch.map((f, i) => [idOf(f), Object.keys(c.facts)[i]]));
  const label = (id: string) => labelOf.get(id) ?? `foreign fact ${id}`;

  if (mode === "catch-up") {
    await publish(fx.client, batch);
    const sub = await catchUp(fx.client, { specs: c.specs });
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expectWellFormed(sub);
    return sub.facts().map((f) => label(f.id));
  }

  // Follow: a sentinel fact on its own namespace, published after the case's facts, marks the
  // point by which every matching fact must have arrived (delivery is in serial order).
  const sentinelNs = uniqueName("sentinel");
  const sentinel = fact({ ns: sentinelNs, type: "Sentinel" });
  const sub = subscribe(fx.client, { specs: [...c.specs, { ns: sentinelNs }], continuous: true });
  try {
    await sub.waitForType(T.Catchup);
    expect(sub.facts()).toHaveLength(0);
    await publish(fx.client, batch);
    await publish(fx.client, [sentinel]);
    await sub.waitFor((s) => s.facts().some((f) => f.id === idOf(sentinel)), 10_000, "the sentinel");
    expectWellFormed(sub);
    return sub
      .facts()
      .filter((f) => f.id !== idOf(sentinel))
      .map((f) => label(f.id));
  } finally {
    sub.cancel();
  }
}

describe.each(["catch-up", "follow"] as const)("FactSpec matching, %s", (mode) => {
  it.each(rows)("$name", async ({ build }) => {
    const c = build();
    expect(await delivered(mode, c)).toEqual(c.expected);
  });
});

describe("aggIdProperties next to payloads PostgreSQL cannot turn into text", () => {
  it.each([
    { name: "a \\u0000 escape", poison: "\\u0000" },
    { name: "an unpaired surrogate escape", poison: "\\ud800" },
  ])(
    "a payload holding $name at the property path does not break other consumers' subscriptions",
    async ({ poison }) => {
      const ns = uniqueName("poison");
      const id = randomUUID();
      const wanted = fact({ ns, payload: { customer: { id } } });
      // Either the store refuses this payload up front, or it must live with it afterwards.
      await publish(fx.client, [fact({ ns, payload: `{"customer":{"id":"${poison}"}}` })]).catch((e: unknown) =>
        expect((e as { code?: Code }).code).toBe(Code.InvalidArgument),
      );
      await publish(fx.client, [wanted]);

      const sub = await catchUp(fx.client, { specs: [{ ns, aggIdProperties: { "customer.id": id } }] });
      expect(sub.end.error, sub.end.error?.message).toBeUndefined();
      expect(sub.facts().map((f) => f.id)).toEqual([idOf(wanted)]);
    },
  );
});
