// The subscription request itself: FactSpec.version (a transformation request, not a filter),
// requests the store must refuse rather than silently mis-serve, and the leniency a Jackson-based
// client relies on (unknown and legacy fields).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catchUp,
  Code,
  errorDetails,
  MSG_Notification_Type as T,
  rawSubscriptionRequest,
  spec,
  subscribe,
  type SpecInput,
} from "../support/client.js";
import { fact, idOf, publish, uniqueName, type FactInput } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

/** Runs `specs` against `facts` in catch-up or follow mode; returns delivered ids and the end. */
async function run(mode: "catch-up" | "follow", facts: FactInput[], specs: SpecInput[]) {
  const batch = facts.map((f) => fact(f));
  if (mode === "catch-up") {
    await publish(fx.client, batch);
    const sub = await catchUp(fx.client, { specs });
    return {
      batch,
      ids: sub.facts().map((f) => f.id),
      versions: sub.facts().map((f) => f.version),
      error: sub.end.error,
    };
  }
  const sentinelNs = uniqueName("sentinel");
  const sentinel = fact({ ns: sentinelNs, type: "Sentinel" });
  const sub = subscribe(fx.client, { specs: [...specs, { ns: sentinelNs }], continuous: true });
  try {
    await sub.waitForType(T.Catchup);
    await publish(fx.client, batch);
    await publish(fx.client, [sentinel]);
    await sub.waitFor((s) => s.isEnded() || s.facts().some((f) => f.id === idOf(sentinel)), 10_000, "sentinel or end");
    const end = sub.isEnded() ? await sub.ended : {};
    const got = sub.facts().filter((f) => f.id !== idOf(sentinel));
    return { batch, ids: got.map((f) => f.id), versions: got.map((f) => f.version), error: end.error };
  } finally {
    sub.cancel();
  }
}

describe.each(["catch-up", "follow"] as const)("FactSpec.version, %s", (mode) => {
  it("passes facts of the requested version unchanged", async () => {
    const ns = uniqueName("v-equal");
    const r = await run(
      mode,
      [
        { ns, type: "T", version: 2 },
        { ns, type: "T", version: 2 },
      ],
      [{ ns, type: "T", version: 2 }],
    );
    expect(r.error, r.error?.message).toBeUndefined();
    expect(r.ids).toEqual(r.batch.map(idOf));
    expect(r.versions).toEqual([2, 2]);
  });

  it("version 0 passes facts of every version as published", async () => {
    const ns = uniqueName("v-zero");
    const r = await run(
      mode,
      [1, 2, 3].map((version) => ({ ns, type: "T", version })),
      [{ ns, type: "T", version: 0 }],
    );
    expect(r.error, r.error?.message).toBeUndefined();
    expect(r.ids).toEqual(r.batch.map(idOf));
    expect(r.versions).toEqual([1, 2, 3]);
  });

  it("ignores the version of facts the spec does not match", async () => {
    const ns = uniqueName("v-unmatched");
    const r = await run(
      mode,
      [
        { ns, type: "Other", version: 1 },
        { ns, type: "T", version: 2 },
      ],
      [{ ns, type: "T", version: 2 }],
    );
    expect(r.error, r.error?.message).toBeUndefined();
    expect(r.ids).toEqual([idOf(r.batch[1])]);
  });

  it("fails with MissingTransformationInformationException on a matching fact of another version", async () => {
    const ns = uniqueName("v-other");
    const r = await run(mode, [{ ns, type: "T", version: 1 }], [{ ns, type: "T", version: 2 }]);
    expect(r.error?.code).toBe(Code.Unknown);
    expect(errorDetails(r.error).exception).toBe(MISSING_TRANSFORMATION);
    expect(r.ids).toEqual([]);
  });
});

const validSpec = () => spec({ ns: uniqueName("valid") });
const request = (fields: Record<string, unknown>) =>
  JSON.stringify({
    keepaliveIntervalInMs: 0,
    streamInfo: true,
    continuous: true,
    ephemeral: false,
    startingAfter: null,
    debugInfo: "req(conformance)",
    pid: "1@conformance",
    specs: [validSpec()],
    ...fields,
  });

const invalidRequests: Array<{ name: string; json: () => string; mentions?: RegExp }> = [
  {
    name: "a filterScript that does not compile",
    json: () =>
      request({
        specs: [{ ...validSpec(), filterScript: { languageIdentifier: "js", source: "function (h,p) { return (" } }],
      }),
    mentions: /filterScript cannot be used: SyntaxError/,
  },
  {
    name: "a filterScript that is not a function",
    json: () => request({ specs: [{ ...validSpec(), jsFilterScript: "42", filterScript: null }] }),
    mentions: /not a function/,
  },
  {
    name: "a filterScript in a language other than JavaScript",
    json: () =>
      request({
        specs: [{ ...validSpec(), filterScript: { languageIdentifier: "groovy", source: "{ h, p -> true }" } }],
      }),
    mentions: /languageIdentifier must be "js"/,
  },
  {
    name: "a filterScript without source",
    json: () => request({ specs: [{ ...validSpec(), filterScript: { languageIdentifier: "js", source: " " } }] }),
    mentions: /filterScript\.source/,
  },
  {
    name: "a jsFilterScript that is not text",
    json: () => request({ specs: [{ ...validSpec(), jsFilterScript: { source: "function () {}" } }] }),
    mentions: /jsFilterScript/,
  },
  {
    name: "a filterScript of more than 64 KiB",
    json: () =>
      request({
        specs: [
          {
            ...validSpec(),
            filterScript: {
              languageIdentifier: "js",
              source: `function (h) { /*${"x".repeat(70_000)}*/ return true }`,
            },
          },
        ],
      }),
    mentions: /at most/,
  },
  { name: "malformed JSON", json: () => '{"specs":[{"ns":"x"}' },
  { name: "JSON that is not an object", json: () => "[]" },
  { name: "an empty specs list", json: () => request({ specs: [] }), mentions: /specs/ },
  { name: "no specs field", json: () => request({ specs: undefined }), mentions: /specs/ },
  {
    name: "a spec without ns",
    json: () => request({ specs: [{ ...validSpec(), ns: undefined }] }),
    mentions: /\bns\b|namespace/,
  },
  {
    name: "a spec with ns null",
    json: () => request({ specs: [{ ...validSpec(), ns: null }] }),
    mentions: /\bns\b|namespace/,
  },
  {
    name: "a spec with a blank ns",
    json: () => request({ specs: [{ ...validSpec(), ns: " " }] }),
    mentions: /\bns\b|namespace/,
  }, // Bounds on what one request may ask (README "Security", Limits): each refused before any SQL runs.
  {
    name: "more than 1,000 specs",
    json: () => request({ specs: Array.from({ length: 1_001 }, validSpec) }),
    mentions:
      /^specs has 1001 FactSpecs; at most 1000 are allowed per request: use broader specs \(ns, type\) or several subscriptions$/,
  },
  {
    name: "a spec with more than 100 aggIds",
    json: () => request({ specs: [{ ...validSpec(), aggIds: uuids(101) }] }),
    mentions: /^specs\[0\]\.aggIds has 101 UUIDs; at most 100 are allowed per FactSpec$/,
  },
  {
    name: "a spec with more than 32 meta entries",
    json: () => request({ specs: [{ ...validSpec(), meta: entries(33, "v") }] }),
    mentions: /^specs\[0\]\.meta has 33 entries; at most 32 are allowed per FactSpec$/,
  },
  {
    name: "a spec with more than 32 metaKeyExists entries",
    json: () => request({ specs: [validSpec(), { ...validSpec(), metaKeyExists: entries(33, true) }] }),
    mentions: /^specs\[1\]\.metaKeyExists has 33 entries/,
  },
  {
    name: "a spec with more than 32 aggIdProperties",
    json: () =>
      request({
        specs: [{ ...validSpec(), aggIdProperties: Object.fromEntries(uuids(33).map((id, i) => [`p${i}.id`, id])) }],
      }),
    mentions: /^specs\[0\]\.aggIdProperties has 33 entries/,
  },
  {
    name: "more than 10,000 meta entries over all specs",
    json: () => request({ specs: Array.from({ length: 1_000 }, () => ({ ...validSpec(), meta: entries(11, "v") })) }),
    mentions:
      /^specs have 11000 meta, metaKeyExists and aggIdProperties entries together; at most 10000 are allowed per request$/,
  },
  {
    name: "a keepalive interval below FactCast's minimum of 3,000 ms",
    json: () => request({ keepaliveIntervalInMs: 2_999 }),
    mentions: /^keepaliveIntervalInMs must be 0 \(no keepalives\) or at least 3000 \(FactCast's minimum\), got 2999$/,
  },
  {
    name: "a keepalive interval of 1 ms",
    json: () => request({ keepaliveIntervalInMs: 1 }),
    mentions: /at least 3000/,
  },
];

function uuids(n: number): string[] {
  return Array.from({ length: n }, () => crypto.randomUUID());
}

function entries<V>(n: number, value: V): Record<string, V> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, value]));
}

describe("subscription requests the store refuses with INVALID_ARGUMENT", () => {
  it.each(invalidRequests)("$name", async ({ json, mentions }) => {
    // A script's compile check may be the first work of the store's sandbox, which starts a worker
    // thread first (a second or more on a busy machine).
    const sub = await catchUp(fx.client, rawSubscriptionRequest(json()), { timeoutMs: 20_000 });
    expect(sub.end.error?.code, sub.end.error?.message ?? "stream did not fail").toBe(Code.InvalidArgument);
    if (mentions) expect(sub.end.error?.rawMessage).toMatch(mentions);
    expect(sub.facts()).toHaveLength(0);
  });
});

describe("request leniency", () => {
  it("tolerates unknown and legacy fields in the request and in specs", async () => {
    const ns = uniqueName("lenient");
    const f = fact({ ns, type: "T" });
    await publish(fx.client, [f]);
    const json = request({
      continuous: false,
      maxBatchDelayInMs: 10,
      someFutureField: { nested: [1, 2] },
      specs: [{ ...spec({ ns }), futureSpecField: "x" }],
    });
    const sub = await catchUp(fx.client, rawSubscriptionRequest(json));
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((x) => x.id)).toEqual([idOf(f)]);
  });

  it("serves requests at the bounds: 1,000 specs, 100 aggIds and 32 meta entries in a spec", async () => {
    const ns = uniqueName("bounds");
    const f = fact({ ns, type: "T", meta: entries(32, "v") });
    await publish(fx.client, [f]);
    const specs = [
      { ...spec({ ns }), meta: entries(32, "v") },
      { ...spec({ ns }), aggIds: uuids(100) },
      ...Array.from({ length: 998 }, validSpec),
    ];
    const sub = await catchUp(fx.client, rawSubscriptionRequest(request({ continuous: false, specs })));
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((x) => x.id)).toEqual([idOf(f)]);
  });

  it("serves a keepalive interval beyond what a timer holds as ~24.8 days, not as 1 ms", async () => {
    const sub = subscribe(fx.client, rawSubscriptionRequest(request({ keepaliveIntervalInMs: 1e12 })));
    try {
      await sub.waitForType(T.Catchup);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(sub.types().filter((t) => t === T.KeepAlive)).toEqual([]);
      expect(sub.isEnded()).toBe(false);
    } finally {
      sub.cancel();
    }
  });

  it("accepts a minimal request from an old client (absent streamInfo means no Info)", async () => {
    const ns = uniqueName("old-client");
    const f = fact({ ns, type: "T" });
    await publish(fx.client, [f]);
    const json = JSON.stringify({ continuous: false, ephemeral: false, specs: [{ ns, type: "T", version: 0 }] });
    const sub = await catchUp(fx.client, rawSubscriptionRequest(json));
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.types()).toEqual([T.Facts, T.Catchup, T.Complete]);
    expect(sub.facts().map((x) => x.id)).toEqual([idOf(f)]);
  });
});
