// The console backend's transformations against REAL store processes over gRPC: a fact as another
// version (FactCast's fetchByIdAndVersion, explained by factline's TransformFact), the fact browser
// and the live view "as version N" for one type, the export in that version, and the pass-through
// of the TransformationService. A second store on the same database with FACTLINE_ADMIN_SERVICES=off
// stands in for a FactCast server with a registry: it transforms, but cannot say how.
import { Code, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { ConsoleService, Order, type Fact } from "../../gen/factline/console/v1/console_pb.js";
import { TransformationService } from "../../gen/factline/console/v1/transformations_pb.js";
import { exportFacts } from "../../lib/backend/routes/export.js";
import { createConsoleService } from "../../lib/backend/rpc/console-service.js";
import { createTransformationService, NO_TRANSFORMATIONS_MESSAGE } from "../../lib/backend/rpc/transformations.js";
import { createUpstream, type Upstream } from "../../lib/backend/upstream/upstream.js";
import { parseFactsSearchParams, toFactQuery } from "../../lib/query-params.js";
import { createFactStoreClient, expectFailure } from "../support/client.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, idOf, publish, uniqueName } from "../support/facts.js";
import { startStore, type RunningStore } from "../support/store.js";
import { objectSchema } from "../schemas/support.js";

interface Side {
  store: RunningStore;
  upstream: Upstream;
  console: Client<typeof ConsoleService>;
  transformations: Client<typeof TransformationService>;
}

const NS = uniqueName("people");
const USER = "UserCreated";
const BROKEN = "Broken";
const LONELY = "Lonely";
const TO_2 = `function (e) { e.displayName = e.firstName + " " + e.lastName; }`;
const TO_3 = `function (e) { e.greeting = "Hello " + e.displayName; }`;

let db: TestDatabase;
let admin: Side;
let plain: Side;
const ids: Record<string, string> = {};

async function side(env: Record<string, string>): Promise<Side> {
  const store = await startStore({ databaseUrl: db.url, env: { FACTLINE_LOG: "silent", ...env } });
  const upstream = createUpstream({ url: store.url });
  const transport = createRouterTransport((r) =>
    r
      .service(ConsoleService, createConsoleService({ upstream }))
      .service(TransformationService, createTransformationService({ upstream })),
  );
  return {
    store,
    upstream,
    console: createClient(ConsoleService, transport),
    transformations: createClient(TransformationService, transport),
  };
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgAdminUrl"), "console_transformations");
  admin = await side({});
  plain = await side({ FACTLINE_ADMIN_SERVICES: "off" });
  const store = createStoreClient({ url: admin.store.url, clientId: "console-transformations-test" });
  const schema = (type: string, version: number, json: string) =>
    store.registry.registerSchema({ key: { ns: NS, type, version }, schemaJson: json });
  await schema(USER, 1, objectSchema(["firstName", "lastName"]));
  await schema(USER, 2, objectSchema(["firstName", "lastName", "displayName"]));
  await schema(USER, 3, objectSchema(["displayName", "greeting"]));
  await schema(BROKEN, 1, objectSchema([], { bad: { type: "boolean" } }));
  await schema(BROKEN, 2, objectSchema(["x"]));
  await schema(LONELY, 1, objectSchema([]));
  await schema(LONELY, 2, objectSchema([]));
  const register = (type: string, from: number, to: number, code: string) =>
    store.transformations.registerTransformation({ key: { ns: NS, type, fromVersion: from, toVersion: to }, code });
  await register(USER, 1, 2, TO_2);
  await register(USER, 2, 3, TO_3);
  await register(BROKEN, 1, 2, `function (e) { if (e.bad) throw new Error("bad payload"); e.x = "y"; }`);

  const facts = {
    ada: fact({ ns: NS, type: USER, version: 1, payload: { firstName: "Ada", lastName: "Lovelace" } }),
    grace: fact({ ns: NS, type: USER, version: 1, payload: { firstName: "Grace", lastName: "Hopper" } }),
    alan: fact({
      ns: NS,
      type: USER,
      version: 2,
      payload: { firstName: "Alan", lastName: "Turing", displayName: "A. Turing" },
    }),
    good: fact({ ns: NS, type: BROKEN, version: 1, payload: {} }),
    bad: fact({ ns: NS, type: BROKEN, version: 1, payload: { bad: true } }),
    lonely: fact({ ns: NS, type: LONELY, version: 1, payload: {} }),
    untyped: fact({ ns: NS, payload: { note: "no type" } }),
  };
  await publish(createFactStoreClient(admin.store.url), Object.values(facts));
  for (const [name, f] of Object.entries(facts)) ids[name] = idOf(f);
}, 180_000);

afterAll(async () => {
  await Promise.all([admin?.store.stop(), plain?.store.stop()]);
  await db?.drop();
}, 60_000);

const payloadOf = (f: Fact | undefined) => JSON.parse(f?.payloadJson ?? "null") as Record<string, unknown>;
const versionOf = (f: Fact | undefined) => (JSON.parse(f?.headerJson ?? "{}") as { version?: number }).version;

function filtersOf(search: string) {
  const parsed = parseFactsSearchParams(search);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return toFactQuery(parsed.params);
}

describe("a fact as another version", () => {
  it("lists the versions within reach for the selector, as published", async () => {
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.ada }, version: 0 });
    expect(res).toMatchObject({ explained: true, publishedVersion: 1, reachableVersions: [1, 2, 3], failure: "" });
    expect(payloadOf(res.fact)).toEqual({ firstName: "Ada", lastName: "Lovelace" });
    const p = await plain.console.getFactAsVersion({ key: { case: "id", value: ids.ada }, version: 0 });
    expect(p).toMatchObject({ explained: false, publishedVersion: 1, reachableVersions: [] });
  });

  it("upcasts through a two-step chain, showing the chain; a FactCast server gives the same payload", async () => {
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.ada }, version: 3 });
    const expected = {
      firstName: "Ada",
      lastName: "Lovelace",
      displayName: "Ada Lovelace",
      greeting: "Hello Ada Lovelace",
    };
    expect(payloadOf(res.fact)).toEqual(expected);
    expect(versionOf(res.fact)).toBe(3);
    expect(res.fact?.version).toBe(3);
    expect(res.chain.map((s) => [s.fromVersion, s.toVersion, s.hasCode, s.synthetic])).toEqual([
      [1, 2, true, false],
      [2, 3, true, false],
    ]);
    const p = await plain.console.getFactAsVersion({ key: { case: "id", value: ids.ada }, version: 3 });
    expect(payloadOf(p.fact)).toEqual(expected);
    expect(p).toMatchObject({ explained: false, chain: [], failure: "" });
  });

  it("looks a fact up by serial too, and says when the result came from the cache", async () => {
    const first = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.grace }, version: 2 });
    expect(first.cached).toBe(false);
    const serial = first.fact!.serial;
    const again = await admin.console.getFactAsVersion({ key: { case: "serial", value: serial }, version: 2 });
    expect(payloadOf(again.fact).displayName).toBe("Grace Hopper");
    expect(again.cached).toBe(true);
  });

  it("downcasts without code through the store's synthetic identity", async () => {
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.alan }, version: 1 });
    expect(payloadOf(res.fact)).toEqual({ firstName: "Alan", lastName: "Turing", displayName: "A. Turing" });
    expect(res.chain.map((s) => [s.fromVersion, s.toVersion, s.hasCode, s.synthetic])).toEqual([[2, 1, false, true]]);
  });

  it("answers a version no chain reaches with FactCast's MissingTransformationInformationException", async () => {
    for (const s of [admin, plain]) {
      const res = await s.console.getFactAsVersion({ key: { case: "id", value: ids.lonely }, version: 2 });
      expect(res.fact).toBeUndefined();
      expect(res.failureKind).toBe("missing");
      expect(res.failure).not.toBe("");
    }
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.lonely }, version: 2 });
    expect(res.reachableVersions).toEqual([1]);
  });

  it("answers a step that throws with FactCast's TransformationException naming the error, and the chain tried", async () => {
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.bad }, version: 2 });
    expect(res.fact).toBeUndefined();
    expect(res.failureKind).toBe("transformation");
    expect(res.failure).toContain("bad payload");
    expect(res.chain.map((s) => [s.fromVersion, s.toVersion])).toEqual([[1, 2]]);
    const p = await plain.console.getFactAsVersion({ key: { case: "id", value: ids.bad }, version: 2 });
    expect(p).toMatchObject({ failureKind: "transformation", failure: expect.stringContaining("bad payload") });
  });

  it("refuses bad requests with what to fix", async () => {
    const cases: [Parameters<Side["console"]["getFactAsVersion"]>[0], Code, string][] = [
      [
        { key: { case: "id", value: ids.ada }, version: -1 },
        Code.InvalidArgument,
        "version must be from 1 to 2147483647",
      ],
      [{ key: { case: "serial", value: 0n }, version: 2 }, Code.InvalidArgument, "serial must be a positive"],
      [{ key: { case: "serial", value: 999_999n }, version: 2 }, Code.NotFound, "no fact with serial 999999"],
      [{ key: { case: "id", value: "not-a-uuid" }, version: 2 }, Code.InvalidArgument, "is not a fact id"],
      [{ version: 2 }, Code.InvalidArgument, "give a serial or an id"],
      [{ key: { case: "id", value: ids.untyped }, version: 2 }, Code.FailedPrecondition, "has no type"],
    ];
    for (const [req, code, message] of cases) {
      const failure = await expectFailure(admin.console.getFactAsVersion(req));
      expect(failure.code, message).toBe(code);
      expect(failure.message).toContain(message);
    }
  });
});

describe("the fact browser as version N", () => {
  const expected = ["Ada Lovelace", "Grace Hopper", "A. Turing"];

  it("pages newest first with the store's keyset and delivers the page transformed", async () => {
    const query = filtersOf(`ns=${NS}&type=${USER}&asVersion=2`);
    const first = await admin.console.queryFacts({ query, order: Order.NEWEST_FIRST, limit: 2 });
    expect(first.strategy).toBe("keyset");
    expect(first.facts.map((f) => payloadOf(f).displayName)).toEqual(["A. Turing", "Grace Hopper"]);
    expect(first.facts.map(versionOf)).toEqual([2, 2]);
    expect(first.hasMore).toBe(true);
    const second = await admin.console.queryFacts({
      query,
      order: Order.NEWEST_FIRST,
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.facts.map((f) => payloadOf(f).displayName)).toEqual(["Ada Lovelace"]);
    const oldest = await admin.console.queryFacts({ query, order: Order.OLDEST_FIRST });
    expect(oldest.facts.map((f) => payloadOf(f).displayName)).toEqual(expected);
  });

  it("gives the same facts through a FactCast server's catch-up", async () => {
    const res = await plain.console.queryFacts({
      query: filtersOf(`ns=${NS}&type=${USER}&asVersion=2`),
      order: Order.OLDEST_FIRST,
    });
    expect(res.strategy).toBe("catch-up");
    expect(res.facts.map((f) => payloadOf(f).displayName)).toEqual(expected);
  });

  it("ends a page whose transformation fails with the store's exception, as a precondition", async () => {
    for (const s of [admin, plain]) {
      const failure = await expectFailure(
        s.console.queryFacts({ query: filtersOf(`ns=${NS}&type=${BROKEN}&asVersion=2`), order: Order.OLDEST_FIRST }),
      );
      expect(failure.code).toBe(Code.FailedPrecondition);
      expect(failure.message).toMatch(/^TransformationException: .*bad payload/);
    }
    const missing = await expectFailure(
      admin.console.queryFacts({ query: filtersOf(`ns=${NS}&type=${LONELY}&asVersion=2`) }),
    );
    expect(missing.code).toBe(Code.FailedPrecondition);
    expect(missing.message).toMatch(/^MissingTransformationInformationException: /);
  });

  it("refuses a version without exactly one namespace and type, or a negative one", async () => {
    const query = filtersOf(`ns=${NS}&type=${USER}`);
    const bad = async (filter: Partial<(typeof query.filters)[0]>, message: string) => {
      const failure = await expectFailure(
        admin.console.queryFacts({ query: { ...query, filters: [{ ...query.filters[0], ...filter }] } }),
      );
      expect(failure.code).toBe(Code.InvalidArgument);
      expect(failure.message).toContain(message);
    };
    await bad({ version: -2 }, "version -2 is negative");
    await bad({ version: 2, types: [] }, "needs exactly one namespace and one type");
    await bad({ version: 2, types: [USER, BROKEN] }, "types UserCreated, Broken");
    await bad({ version: 2, ns: "*" }, "got every namespace");
  });

  it("exports the facts in that version", async () => {
    const res = await exportFacts(admin.upstream, new URLSearchParams(`ns=${NS}&type=${USER}&asVersion=3`));
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { header: { version: number }; payload: { greeting: string } });
    expect(lines.map((l) => [l.header.version, l.payload.greeting])).toEqual(expected.map((n) => [3, `Hello ${n}`]));
  });
});

describe("the live view as version N", () => {
  it("catches up and follows with every fact of the type in that version", async () => {
    const abort = new AbortController();
    const seen: Fact[] = [];
    const stream = admin.console.watchFacts(
      { filters: filtersOf(`ns=${NS}&type=${USER}&asVersion=3`).filters, fromBeginning: true },
      { signal: abort.signal },
    );
    let published = false;
    try {
      for await (const event of stream) {
        if (event.event.case === "facts") seen.push(...event.event.value.facts);
        if (event.event.case === "caughtUp" && !published) {
          published = true;
          await publish(createFactStoreClient(admin.store.url), [
            fact({ ns: NS, type: USER, version: 1, payload: { firstName: "Katherine", lastName: "Johnson" } }),
          ]);
        }
        if (seen.length === 4) break;
      }
    } finally {
      abort.abort();
    }
    expect(seen.map((f) => [f.version, payloadOf(f).greeting])).toEqual([
      [3, "Hello Ada Lovelace"],
      [3, "Hello Grace Hopper"],
      [3, "Hello A. Turing"],
      [3, "Hello Katherine Johnson"],
    ]);
  });
});

describe("the transformation service", () => {
  it("passes the list through with the synthetic downcasts and the upcasts missing", async () => {
    const res = await admin.transformations.listTransformations({ ns: NS, type: LONELY });
    expect(res.transformations.map((t) => [t.key?.fromVersion, t.key?.toVersion, t.synthetic])).toEqual([[2, 1, true]]);
    expect(res.missing.map((m) => [m.key?.fromVersion, m.key?.toVersion])).toEqual([[1, 2]]);
  });

  it("checks, registers and tries a candidate on a fact", async () => {
    const key = { ns: NS, type: LONELY, fromVersion: 1, toVersion: 2 };
    const code = `function (e) { e.touched = true; }`;
    const check = await admin.transformations.checkTransformation({ key, code });
    expect(check).toMatchObject({ compiles: true, checked: 1n, passed: 1n, failed: 0n, exists: false });
    const tried = await admin.transformations.transformFact({
      factId: ids.lonely,
      version: 2,
      candidate: { key, code },
    });
    expect(JSON.parse(tried.transformedPayloadJson)).toEqual({ touched: true });
    await admin.transformations.registerTransformation({ key, code });
    const res = await admin.console.getFactAsVersion({ key: { case: "id", value: ids.lonely }, version: 2 });
    expect(payloadOf(res.fact)).toEqual({ touched: true });
  });

  it("passes the store's refusals on: a script that does not compile, force without a reason", async () => {
    const key = { ns: NS, type: USER, fromVersion: 1, toVersion: 2 };
    const check = await admin.transformations.checkTransformation({ key, code: "function (e) { e.x = ; }" });
    expect(check.compiles).toBe(false);
    expect(check.compileError).toMatch(/SyntaxError/);
    const syntax = await expectFailure(
      admin.transformations.registerTransformation({ key, code: "function (e) { e.x = ; }" }),
    );
    expect(syntax.code).toBe(Code.InvalidArgument);
    expect(syntax.message).toContain("does not compile");
    const noReason = await expectFailure(
      admin.transformations.registerTransformation({ key, code: `function (e) { e.displayName = "?"; }`, force: true }),
    );
    expect(noReason.code).toBe(Code.InvalidArgument);
    expect(noReason.message).toContain("reason");
  });

  it("says the store has no transformations when it is a plain FactCast server", async () => {
    const failure = await expectFailure(plain.transformations.listTransformations({ ns: NS }));
    expect(failure.code).toBe(Code.FailedPrecondition);
    expect(failure.message).toContain(NO_TRANSFORMATIONS_MESSAGE);
  });
});
