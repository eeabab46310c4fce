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
  },
];

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
