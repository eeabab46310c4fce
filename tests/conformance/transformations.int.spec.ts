// Transformations as a FactCast client meets them, over real gRPC: facts fetched and subscribed as
// other versions (one step, a two-step chain, a downcast without code), FactCast's exceptions when
// no chain leads there or a step fails, and the facts that need nothing passed on untouched.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import type { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import type { TransformationService } from "../../gen/factline/admin/v1/transformations_pb.js";
import {
  catchUp,
  Code,
  errorDetails,
  expectFailure,
  MSG_Notification_Type as T,
  subscribe,
  toMsgUuid,
} from "../support/client.js";
import { fact, idOf, parseFact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { runCli } from "../cli/run-cli.js";

const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";
const TRANSFORMATION_EXCEPTION = "org.factcast.core.subscription.TransformationException";

let fx: StoreFixture;
let registry: Client<typeof SchemaRegistryService>;
let transformations: Client<typeof TransformationService>;
beforeAll(async () => {
  // The sandbox's time limit is wall-clock; at the default 1 s a starved worker on a loaded machine
  // can reach it before a script that allocates without end reaches the memory limit, and the
  // hostile-code case below would see the wrong limit named. 5 s keeps every limit's case its own.
  fx = await startStoreOnFreshDatabase("transformations", { env: { FACTLINE_SANDBOX_TIME_MS: "5000" } });
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

const payloadsOf = (facts: Array<{ payloadText: string }>) => facts.map((f) => JSON.parse(f.payloadText) as unknown);

describe("subscriptions asking for a version", () => {
  it.each(["catch-up", "follow"] as const)(
    "%s: v1 facts arrive as v2 and as v3; facts already in that version and other types arrive as stored",
    async (mode) => {
      const { ns, type } = await userCreated();
      const v1 = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
      const v3 = fact({
        ns,
        type,
        version: 3,
        payload: `{"firstName":"Grace", "lastName":"H","salutation":"Mrs","displayName":"G H"}`,
      });
      const other = fact({ ns, type: "Other", version: 1, payload: `{ "x" : 1 }` });
      const specsFor = (version: number) => [
        { ns, type, version },
        { ns, type: "Other" },
      ];
      const expected = {
        2: [{ firstName: "Ada", lastName: "L", salutation: "NA" }, JSON.parse(v3.payload), { x: 1 }],
        3: [
          { firstName: "Ada", lastName: "L", salutation: "NA", displayName: "Ada L" },
          JSON.parse(v3.payload),
          { x: 1 },
        ],
      };
      for (const version of [2, 3] as const) {
        let got;
        if (mode === "catch-up") {
          if (version === 2) await publish(fx.client, [v1, v3, other]);
          const sub = await catchUp(fx.client, { specs: specsFor(version) });
          expect(sub.end.error, sub.end.error?.message).toBeUndefined();
          got = sub.facts().slice(-3);
        } else {
          const sub = subscribe(fx.client, { specs: specsFor(version), continuous: true, ephemeral: true });
          try {
            await sub.waitForType(T.Catchup);
            const copies = [v1, v3, other].map((f) => ({
              ...f,
              header: JSON.stringify({ ...JSON.parse(f.header), id: crypto.randomUUID() }),
            }));
            await publish(fx.client, copies);
            await sub.waitForFacts(3);
            got = sub.facts();
          } finally {
            sub.cancel();
          }
        }
        expect(payloadsOf(got)).toEqual(expected[version]);
        // The v3 fact asked as v2 goes down the synthetic identity 3 → 2.
        expect(got.map((f) => f.version)).toEqual([version, version, 1]);
        // v3 asked as v3, and the type nobody asked a version of, go out byte for byte.
        if (version === 3) expect(got[1].payloadText).toBe(v3.payload);
        expect(got[2].payloadText).toBe(other.payload);
      }
    },
  );

  it("ends the subscription with MissingTransformationInformationException on a fact no chain converts", async () => {
    const { ns, type } = await userCreated();
    await publish(fx.client, [fact({ ns, type, version: 1, payload: { firstName: "A", lastName: "B" } })]);
    const sub = await catchUp(fx.client, { specs: [{ ns, type, version: 7 }] });
    expect(errorDetails(sub.end.error).exception).toBe(MISSING_TRANSFORMATION);
    expect(sub.facts()).toEqual([]);
  });
});

/** The store's resident memory (Linux), in MB. */
function storeRssMb(): number {
  const status = readFileSync(`/proc/${fx.store.process.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Calls latestSerial every 100 ms while `work` runs; returns the slowest answer in ms. */
async function slowestAnswerWhile(work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => {});
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    await fx.client.latestSerial({});
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  return slowest;
}

describe("hostile transformation code", () => {
  const scripts: Array<[string, string, RegExp]> = [
    ["throws", `function (e) { throw new Error("refusing " + e.firstName); }`, /Error: refusing Ada/],
    ["loops forever", `function (e) { for (;;) {} }`, /time limit of \d+ ms/],
    [
      "allocates without end",
      `function (e) { var a = []; for (;;) a.push(new Uint8Array(16 * 1024 * 1024)); }`,
      /memory limit of \d+ MB/,
    ],
    [
      "requires fs",
      `function (e) { e.fs = require("fs").readFileSync("/etc/passwd", "utf8"); }`,
      /'require' is not defined/,
    ],
    ["calls process.exit()", `function (e) { process.exit(1); }`, /'process' is not defined/],
    [
      "reaches for globalThis.constructor",
      `function (e) { e.p = globalThis.constructor.constructor("return process")().pid; }`,
      /TypeError|ReferenceError/,
    ],
    [
      "reaches for this.constructor.constructor",
      `function (e) { this.constructor.constructor("return process")().exit(1); }`,
      /TypeError|ReferenceError/,
    ],
    ["builds a Function", `function (e) { e.pid = Function("return process")().pid; }`, /'process' is not defined/],
    ["sets a timer", `function (e) { setTimeout(function () { e.late = true; }, 0); }`, /'setTimeout' is not defined/],
    ["is async", `async function (e) { await null; e.late = true; }`, /returned a Promise: it must change e in place/],
    [
      "allocates 1 GB at once",
      `function (e) { e.size = new ArrayBuffer(1024 * 1024 * 1024).byteLength; }`,
      /memory limit of \d+ MB/,
    ],
  ];

  it("each fails its own call with TransformationException; the store answers within 1 s meanwhile and its memory comes back", async () => {
    // Warm up: a worker has started and transformed once, so its memory is in the baseline.
    const { ns, type } = await userCreated();
    const ok = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    await publish(fx.client, [ok]);
    await fetchAs(idOf(ok), 2);
    const baseline = storeRssMb();

    for (const [name, code, message] of scripts) {
      const ns = uniqueName("hostile");
      const t = "Victim";
      await registry.registerSchema({ key: { ns, type: t, version: 1 }, schemaJson: schema(["firstName"]) });
      await registry.registerSchema({ key: { ns, type: t, version: 2 }, schemaJson: schema(["firstName"]) });
      await transformations.registerTransformation({ key: { ns, type: t, fromVersion: 1, toVersion: 2 }, code });
      const victim = fact({ ns, type: t, version: 1, payload: { firstName: "Ada" } });
      await publish(fx.client, [victim]);

      const call = expectFailure(fx.client.fetchByIdAndVersion(idAndVersion(idOf(victim), 2)));
      const slowest = await slowestAnswerWhile(call);
      const err = await call;
      expect(err.exception, `${name}: ${err.message}`).toBe(TRANSFORMATION_EXCEPTION);
      expect(err.exceptionMessage, name).toMatch(message);
      expect(err.exceptionMessage, name).toContain(idOf(victim));
      expect(slowest, `${name}: latestSerial took ${slowest} ms`).toBeLessThan(1_000);

      const sub = await catchUp(fx.client, { specs: [{ ns, type: t, version: 2 }] });
      expect(errorDetails(sub.end.error).exception, name).toBe(TRANSFORMATION_EXCEPTION);
      // The fact asked as published is not touched by any of it.
      expect((await fetchAs(idOf(victim), 0))!.payloadText).toBe(victim.payload);
    }
    // Workers that broke a limit were replaced; the next transformation runs on a fresh one.
    expect(JSON.parse((await fetchAs(idOf(ok), 3))!.payloadText).displayName).toBe("Ada L");
    const after = storeRssMb();
    expect(after, `RSS ${baseline.toFixed(0)} MB before, ${after.toFixed(0)} MB after`).toBeLessThan(baseline + 64);
  }, 300_000);

  it("a script that pollutes prototypes and globals changes only its own context: other types' scripts and the store see nothing", async () => {
    const polluter = uniqueName("polluter");
    const reader = uniqueName("reader");
    for (const ns of [polluter, reader]) {
      for (const version of [1, 2]) {
        await registry.registerSchema({ key: { ns, type: "T", version }, schemaJson: "{}" });
      }
    }
    await transformations.registerTransformation({
      key: { ns: polluter, type: "T", fromVersion: 1, toVersion: 2 },
      code: `function (e) {
        Object.prototype.polluted = "yes";
        Array.prototype.map = function () { return ["hacked"]; };
        JSON.stringify = function () { return '{"hacked":true}'; };
        JSON.parse = function () { return { hacked: true }; };
        e.done = true;
      }`,
    });
    await transformations.registerTransformation({
      key: { ns: reader, type: "T", fromVersion: 1, toVersion: 2 },
      code: `function (e) { e.seen = typeof ({}).polluted + " " + [1].map(function (x) { return x + 1; })[0]; }`,
    });
    const dirty = [1, 3].map((n) => fact({ ns: polluter, type: "T", version: 1, payload: { n } }));
    const clean = fact({ ns: reader, type: "T", version: 1, payload: { n: 2 } });
    await publish(fx.client, [...dirty, clean]);

    // The polluter's own result is what it did to e, written by the wrapper's own JSON.stringify;
    // two facts, so the second run meets the context the first one polluted.
    for (const [i, n] of [1, 3].entries()) {
      expect(JSON.parse((await fetchAs(idOf(dirty[i]), 2))!.payloadText)).toEqual({ n, done: true });
    }
    expect(JSON.parse((await fetchAs(idOf(clean), 2))!.payloadText)).toEqual({ n: 2, seen: "undefined 2" });
    // The store's own objects: a plain read and a catch-up are untouched.
    expect((await fetchAs(idOf(dirty[0]), 0))!.payloadText).toBe(dirty[0].payload);
    const plain = await catchUp(fx.client, { specs: [{ ns: polluter }] });
    expect(plain.facts().map((f) => f.payloadText)).toEqual(dirty.map((f) => f.payload));
  }, 60_000);
});

describe("the transformation cache", () => {
  const stats = () => transformations.getTransformationStats({});

  it("a second catch-up of the same facts runs no scripts; a changed transformation evicts and runs again", async () => {
    const { ns, type } = await userCreated();
    const facts = Array.from({ length: 50 }, (_, i) =>
      fact({ ns, type, version: 1, payload: { firstName: `F${i}`, lastName: "L" } }),
    );
    await publish(fx.client, facts);
    const specs = [{ ns, type, version: 3 }];
    const first = await catchUp(fx.client, { specs });
    expect(first.facts()).toHaveLength(50);
    const written = (await stats()).cacheWrites;
    // Writes go behind the stream; wait until they are in.
    for (let i = 0; i < 100 && (await stats()).cacheWrites < written; i++) await new Promise((r) => setTimeout(r, 50));
    const before = await stats();

    const second = await catchUp(fx.client, { specs });
    expect(payloadsOf(second.facts())).toEqual(payloadsOf(first.facts()));
    const after = await stats();
    expect(after.transformedFacts - before.transformedFacts).toBe(0n);
    expect(after.cacheHits - before.cacheHits).toBe(50n);

    await transformations.registerTransformation({
      key: { ns, type, fromVersion: 2, toVersion: 3 },
      code: `function (e) { e.displayName = e.lastName + ", " + e.firstName; }`,
      force: true,
      reason: "last name first",
    });
    const third = await catchUp(fx.client, { specs });
    expect((JSON.parse(third.facts()[0].payloadText) as { displayName: string }).displayName).toBe("L, F0");
    expect((await stats()).transformedFacts - after.transformedFacts).toBeGreaterThanOrEqual(50n);
  });
});

describe("a FactCast registry imported through the CLI", () => {
  it("brings its transformations along: v1 facts come as v3 through 1-2 and 2-3, v3 facts as v1 through 3-2 and the synthetic 2-1", async () => {
    const ns = uniqueName("imported");
    const names = ["firstName", "lastName"];
    const files: Record<string, string> = {
      [`${ns}/UserCreated/1/schema.json`]: schema(names),
      [`${ns}/UserCreated/2/schema.json`]: schema([...names, "salutation"]),
      [`${ns}/UserCreated/3/schema.json`]: schema([...names, "salutation", "displayName"]),
      [`${ns}/UserCreated/1-2/transform.js`]: `function transform(event) {\n    event.salutation = "NA"\n}`,
      [`${ns}/UserCreated/2-3/transform.js`]: `function transform(event) {\n    event.displayName = event.firstName + " " + event.lastName\n}`,
      [`${ns}/UserCreated/3-2/transform.js`]: `function transform(event) {\n    // just a dummy downcast transformation\n}`,
    };
    const md5 = (text: string) => createHash("md5").update(text).digest("hex");
    const index = {
      schemes: [1, 2, 3].map((version) => {
        const id = `${ns}/UserCreated/${version}/schema.json`;
        return { id, ns, type: "UserCreated", version, hash: md5(files[id]) };
      }),
      transformations: [
        ...(["1-2", "3-2", "2-3"] as const).map((pair) => {
          const id = `${ns}/UserCreated/${pair}/transform.js`;
          const [from, to] = pair.split("-").map(Number);
          return { id, ns, type: "UserCreated", from, to, hash: md5(files[id]) };
        }),
        { ns, type: "UserCreated", from: 2, to: 1, id: `synthetic/${ns}/UserCreated/2-1/transform.js` },
      ],
    };
    const root = await mkdtemp(join(tmpdir(), "factline-registry-"));
    try {
      for (const [path, text] of Object.entries({ "index.json": JSON.stringify(index), ...files })) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
      const imported = await runCli(fx.store.url, ["schema", "import", root]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain("transformations: imported 3, unchanged 1");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    const v1 = fact({ ns, type: "UserCreated", version: 1, payload: { firstName: "Ada", lastName: "L" } });
    const v3 = fact({
      ns,
      type: "UserCreated",
      version: 3,
      payload: { firstName: "G", lastName: "H", salutation: "Mrs", displayName: "G H" },
    });
    await publish(fx.client, [v1, v3]);
    const asV3 = await catchUp(fx.client, { specs: [{ ns, type: "UserCreated", version: 3 }] });
    expect(payloadsOf(asV3.facts())).toEqual([
      { firstName: "Ada", lastName: "L", salutation: "NA", displayName: "Ada L" },
      JSON.parse(v3.payload),
    ]);
    const asV1 = (await fetchAs(idOf(v3), 1))!;
    expect([asV1.version, JSON.parse(asV1.payloadText)]).toEqual([1, JSON.parse(v3.payload)]);
  }, 120_000);
});
