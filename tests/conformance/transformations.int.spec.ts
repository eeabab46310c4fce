// Transformations as a FactCast client meets them, over real gRPC: facts fetched and subscribed as
// other versions (one step, a two-step chain, a downcast without code), FactCast's exceptions when
// no chain leads there or a step fails, and the facts that need nothing passed on untouched. Hostile
// scripts: tests/conformance/transformations-hostile.int.spec.ts.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  catchUp,
  Code,
  errorDetails,
  expectFailure,
  MSG_Notification_Type as T,
  subscribe,
} from "../support/client.js";
import { fact, idOf, publish, uniqueName } from "../support/facts.js";
import { runCli } from "../cli/run-cli.js";
import {
  fetchAs,
  idAndVersion,
  MISSING_TRANSFORMATION,
  schema,
  TRANSFORMATION_EXCEPTION,
  userCreated,
  useTransformationStore,
} from "./transformations-support.js";

const ctx = useTransformationStore("transformations");

describe("fetchByIdAndVersion", () => {
  it("returns a v1 fact as v2 and as v3 (a two-step chain); only the header's version changes", async () => {
    const { ns, type } = await userCreated(ctx);
    const published = fact({
      ns,
      type,
      version: 1,
      aggIds: [crypto.randomUUID()],
      meta: { tenant: "acme" },
      payload: { firstName: "Ada", lastName: "Lovelace" },
    });
    await publish(ctx.fx.client, [published]);
    const stored = (await fetchAs(ctx, idOf(published), 0))!;

    const v2 = (await fetchAs(ctx, idOf(published), 2))!;
    expect(JSON.parse(v2.payloadText)).toEqual({ firstName: "Ada", lastName: "Lovelace", salutation: "NA" });
    expect(v2.header).toEqual({ ...stored.header, version: 2 });

    const v3 = (await fetchAs(ctx, idOf(published), 3))!;
    expect(JSON.parse(v3.payloadText)).toEqual({
      firstName: "Ada",
      lastName: "Lovelace",
      salutation: "NA",
      displayName: "Ada Lovelace",
    });
    expect(v3.header).toEqual({ ...stored.header, version: 3 });
  });

  it("returns a fact untouched as its own version or as version 0, byte for byte", async () => {
    const { ns, type } = await userCreated(ctx);
    const published = fact({ ns, type, version: 1, payload: `{ "firstName" : "Ada", "lastName": "L" }` });
    await publish(ctx.fx.client, [published]);
    const asPublished = (await fetchAs(ctx, idOf(published), 0))!;
    expect(asPublished.payloadText).toBe(published.payload);
    expect((await fetchAs(ctx, idOf(published), 1))!.payloadText).toBe(published.payload);
  });

  it("downcasts without code: a v3 fact as v1 passes through the synthetic identities, validated", async () => {
    const { ns, type } = await userCreated(ctx);
    const published = fact({
      ns,
      type,
      version: 3,
      payload: { firstName: "Ada", lastName: "L", salutation: "Mrs", displayName: "Ada L" },
    });
    await publish(ctx.fx.client, [published]);
    const v1 = (await fetchAs(ctx, idOf(published), 1))!;
    expect(v1.version).toBe(1);
    expect(JSON.parse(v1.payloadText)).toEqual(JSON.parse(published.payload));
  });

  it("fails with MissingTransformationInformationException when no chain leads to the version", async () => {
    const { ns, type } = await userCreated(ctx);
    const published = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    const untyped = fact({ ns, version: 1, payload: {} });
    await publish(ctx.fx.client, [published, untyped]);
    for (const [id, ver] of [
      [idOf(published), 4],
      [idOf(untyped), 2],
    ] as const) {
      const err = await expectFailure(ctx.fx.client.fetchByIdAndVersion(idAndVersion(id, ver)));
      expect(err.code).toBe(Code.Unknown);
      expect(err.exception).toBe(MISSING_TRANSFORMATION);
      expect(err.exceptionMessage).toContain(id);
    }
  });

  it("fails with TransformationException, naming the fact, the step and the error, when a result is invalid", async () => {
    const { ns, type } = await userCreated(ctx);
    await ctx.transformations.registerTransformation({
      key: { ns, type, fromVersion: 2, toVersion: 3 },
      code: `function (e) { e.displayName = 42; }`,
      force: true,
      reason: "a broken step, on purpose",
    });
    const published = fact({ ns, type, version: 1, payload: { firstName: "Ada", lastName: "L" } });
    await publish(ctx.fx.client, [published]);
    const err = await expectFailure(ctx.fx.client.fetchByIdAndVersion(idAndVersion(idOf(published), 3)));
    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(TRANSFORMATION_EXCEPTION);
    expect(err.exceptionMessage).toContain(idOf(published));
    expect(err.exceptionMessage).toContain("chain [1, 2, 3]");
    expect(err.exceptionMessage).toContain("/displayName must be string");
  });

  it("a fact that does not exist is absent, whatever the version", async () => {
    expect(await fetchAs(ctx, crypto.randomUUID(), 3)).toBeUndefined();
  });
});

const payloadsOf = (facts: Array<{ payloadText: string }>) => facts.map((f) => JSON.parse(f.payloadText) as unknown);

describe("subscriptions asking for a version", () => {
  it.each(["catch-up", "follow"] as const)(
    "%s: v1 facts arrive as v2 and as v3; facts already in that version and other types arrive as stored",
    async (mode) => {
      const { ns, type } = await userCreated(ctx);
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
          if (version === 2) await publish(ctx.fx.client, [v1, v3, other]);
          const sub = await catchUp(ctx.fx.client, { specs: specsFor(version) });
          expect(sub.end.error, sub.end.error?.message).toBeUndefined();
          got = sub.facts().slice(-3);
        } else {
          const sub = subscribe(ctx.fx.client, { specs: specsFor(version), continuous: true, ephemeral: true });
          try {
            await sub.waitForType(T.Catchup);
            const copies = [v1, v3, other].map((f) => ({
              ...f,
              header: JSON.stringify({ ...JSON.parse(f.header), id: crypto.randomUUID() }),
            }));
            await publish(ctx.fx.client, copies);
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
    const { ns, type } = await userCreated(ctx);
    await publish(ctx.fx.client, [fact({ ns, type, version: 1, payload: { firstName: "A", lastName: "B" } })]);
    const sub = await catchUp(ctx.fx.client, { specs: [{ ns, type, version: 7 }] });
    expect(errorDetails(sub.end.error).exception).toBe(MISSING_TRANSFORMATION);
    expect(sub.facts()).toEqual([]);
  });
});

describe("the transformation cache", () => {
  const stats = () => ctx.transformations.getTransformationStats({});

  it("a second catch-up of the same facts runs no scripts; a changed transformation evicts and runs again", async () => {
    const { ns, type } = await userCreated(ctx);
    const facts = Array.from({ length: 50 }, (_, i) =>
      fact({ ns, type, version: 1, payload: { firstName: `F${i}`, lastName: "L" } }),
    );
    await publish(ctx.fx.client, facts);
    const specs = [{ ns, type, version: 3 }];
    const first = await catchUp(ctx.fx.client, { specs });
    expect(first.facts()).toHaveLength(50);
    const written = (await stats()).cacheWrites;
    // Writes go behind the stream; wait until they are in.
    for (let i = 0; i < 100 && (await stats()).cacheWrites < written; i++) await new Promise((r) => setTimeout(r, 50));
    const before = await stats();

    const second = await catchUp(ctx.fx.client, { specs });
    expect(payloadsOf(second.facts())).toEqual(payloadsOf(first.facts()));
    const after = await stats();
    expect(after.transformedFacts - before.transformedFacts).toBe(0n);
    expect(after.cacheHits - before.cacheHits).toBe(50n);

    await ctx.transformations.registerTransformation({
      key: { ns, type, fromVersion: 2, toVersion: 3 },
      code: `function (e) { e.displayName = e.lastName + ", " + e.firstName; }`,
      force: true,
      reason: "last name first",
    });
    const third = await catchUp(ctx.fx.client, { specs });
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
      const imported = await runCli(ctx.fx.store.url, ["schema", "import", root]);
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
    await publish(ctx.fx.client, [v1, v3]);
    const asV3 = await catchUp(ctx.fx.client, { specs: [{ ns, type: "UserCreated", version: 3 }] });
    expect(payloadsOf(asV3.facts())).toEqual([
      { firstName: "Ada", lastName: "L", salutation: "NA", displayName: "Ada L" },
      JSON.parse(v3.payload),
    ]);
    const asV1 = (await fetchAs(ctx, idOf(v3), 1))!;
    expect([asV1.version, JSON.parse(asV1.payloadText)]).toEqual([1, JSON.parse(v3.payload)]);
  }, 120_000);
});
