// `npm run demo` against a real store: --once registers the demo's schemas (with a breaking change)
// and seeds a coherent history the store validated; without --once the demo keeps publishing until
// Ctrl-C and then exits 0; against a store without the registry it goes on without schemas.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FACT_TYPES } from "../../scripts/demo/fact-types.js";
import { registryClient } from "../schemas/support.js";
import { catchUp } from "../support/client.js";
import { createTestDatabase } from "../support/database.js";
import { latestSerial } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

let fixture: StoreFixture;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("demo");
});
afterAll(() => fixture?.close());

interface DemoRun {
  child: ReturnType<typeof spawn>;
  output: () => string;
  exited: Promise<number | null>;
}

function runDemo(args: string[], storeUrl = fixture.store.url): DemoRun {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, FACTLINE_STORE_URL: storeUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("npm run demo", () => {
  it("--once seeds namespaces, types, versions and linked aggregates, then exits 0", async () => {
    const run = runDemo(["--once", "--seed", "11", "--facts", "1500"]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/seeded 1,5\d\d facts/);
    expect(run.output()).toContain(`schemas: ${FACT_TYPES.length} registered; facts are validated on publish`);

    const { client } = fixture;
    expect(await latestSerial(client)).toBeGreaterThanOrEqual(1_500);
    const namespaces = (await client.enumerateNamespaces({})).embeddedString;
    expect([...namespaces].sort()).toEqual(["billing", "catalog", "inventory", "shop", "users"]);
    expect([...(await client.enumerateTypes({ embeddedString: "shop" })).embeddedString].sort()).toEqual([
      "OrderCancelled",
      "OrderPaid",
      "OrderPlaced",
      "OrderShipped",
    ]);
    expect([...(await client.enumerateVersions({ ns: "shop", type: "OrderPlaced" })).embeddedInteger].sort()).toEqual([
      1, 2,
    ]);
    expect(
      [...(await client.enumerateVersions({ ns: "users", type: "UserRegistered" })).embeddedInteger].sort(),
    ).toEqual([1, 2]);

    // An order's facts across namespaces share its aggregate id.
    const shop = (await catchUp(client, { specs: [{ ns: "shop", type: "OrderShipped" }] })).facts();
    const shipped = shop[0];
    expect(shipped.meta).toMatchObject({
      source: "factline-demo",
      tenant: expect.any(String),
      correlationId: expect.any(String),
    });
    const orderId = shipped.aggIds![0];
    const trail = (await catchUp(client, { specs: [{ ns: "*", aggIds: [orderId] }] })).facts();
    const kinds = trail.map((f) => `${f.ns}/${f.type}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "shop/OrderPlaced",
        "inventory/ItemReserved",
        "shop/OrderPaid",
        "billing/InvoiceIssued",
        "shop/OrderShipped",
      ]),
    );
    expect(new Set(trail.map((f) => f.meta.correlationId)).size).toBe(1);
  });

  it("registered a schema for every fact type it published, with a breaking change shown", async () => {
    const registry = registryClient(fixture.store.url);
    const listed = await registry.listSchemas({});
    const keys = (list: Array<{ ns: string; type: string; version: number }>) =>
      list.map((k) => `${k.ns}/${k.type}/${k.version}`).sort();
    expect(keys(listed.schemas.map((s) => s.key!))).toEqual(keys(FACT_TYPES));
    expect(listed.unschematized).toEqual([]);
    // Every seeded fact was validated against a registered version, so each version has facts.
    expect(
      listed.schemas.every((s) => s.factCount > 0n && s.registeredBy === "anonymous" && s.description !== ""),
    ).toBe(true);

    const diff = await registry.compareVersions({ ns: "shop", type: "OrderPlaced", fromVersion: 1, toVersion: 2 });
    expect(diff.breakingForReaders).toBe(true);
    expect(diff.breakingForWriters).toBe(true);
    expect(diff.changes.map((c) => c.path)).toEqual(
      expect.arrayContaining(["/customerId", "/customer", "/items", "/lines"]),
    );
    const v2 = await registry.getSchema({ key: { ns: "shop", type: "OrderPlaced", version: 2 } });
    expect(v2.schema!.examples).toHaveLength(1);
  });

  it("the same seed again does not publish the history twice, and the schemas stay unchanged", async () => {
    const before = await latestSerial(fixture.client);
    const run = runDemo(["--once", "--seed", "11", "--facts", "1500"]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/already has the history of seed 11/);
    expect(run.output()).toContain(`schemas: ${FACT_TYPES.length} already registered; facts are validated on publish`);
    // The v1 OrderPlaced facts are what the dry run of v2 finds failing.
    expect(run.output()).toMatch(
      /breaking change: shop\/OrderPlaced v1 → v2: \d+ of \d+ changes break readers and writers/,
    );
    expect(run.output()).toMatch(/dry run of v2: [1-9][\d,]* of [\d,]+ stored shop\/OrderPlaced facts would fail it/);
    expect(await latestSerial(fixture.client)).toBe(before);
  });

  it("keeps publishing until Ctrl-C, then exits 0", async () => {
    const run = runDemo(["--facts", "100", "--rate", "20"]);
    await until(() => run.output().includes("Ctrl-C to stop"), "live mode");
    const afterSeed = await latestSerial(fixture.client);
    await until(async () => (await latestSerial(fixture.client)) >= afterSeed + 10, "live facts");
    run.child.kill("SIGINT");
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/stopped after \d+ live facts/);
    const stopped = await latestSerial(fixture.client);
    await new Promise((r) => setTimeout(r, 500));
    expect(await latestSerial(fixture.client)).toBe(stopped);
  });
});

describe("npm run demo against a store without the schema registry", () => {
  it("says so in one line and seeds without schemas", async () => {
    const db = await createTestDatabase(inject("pgAdminUrl"), "demo_plain");
    const plain = await startStore({ databaseUrl: db.url, env: { FACTLINE_ADMIN_SERVICES: "off" } });
    try {
      const run = runDemo(["--once", "--seed", "5", "--facts", "200"], plain.url);
      expect(await run.exited, run.output()).toBe(0);
      const lines = run
        .output()
        .split("\n")
        .filter((l) => l.startsWith("schemas:"));
      expect(lines).toEqual([
        "schemas: this store has no schema registry (a plain FactCast server, or FACTLINE_ADMIN_SERVICES=off); publishing without validation",
      ]);
      expect(run.output()).toMatch(/seeded \d+ facts/);
      expect(run.output()).not.toContain("breaking change");
    } finally {
      await plain.stop();
      await db.drop();
    }
  });
});
