// `npm run demo` against a real store: --once seeds a coherent history; without it the demo keeps
// publishing until Ctrl-C and then exits 0.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp } from "../support/client.js";
import { latestSerial } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

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

function runDemo(args: string[]): DemoRun {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, FACTLINE_STORE_URL: fixture.store.url },
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
    expect([...(await client.enumerateVersions({ ns: "shop", type: "OrderPlaced" })).embeddedInteger].sort()).toEqual([1, 2]);
    expect([...(await client.enumerateVersions({ ns: "users", type: "UserRegistered" })).embeddedInteger].sort()).toEqual([1, 2]);

    // An order's facts across namespaces share its aggregate id.
    const shop = (await catchUp(client, { specs: [{ ns: "shop", type: "OrderShipped" }] })).facts();
    const shipped = shop[0];
    expect(shipped.meta).toMatchObject({ source: "factline-demo", tenant: expect.any(String), correlationId: expect.any(String) });
    const orderId = shipped.aggIds![0];
    const trail = (await catchUp(client, { specs: [{ ns: "*", aggIds: [orderId] }] })).facts();
    const kinds = trail.map((f) => `${f.ns}/${f.type}`);
    expect(kinds).toEqual(expect.arrayContaining(["shop/OrderPlaced", "inventory/ItemReserved", "shop/OrderPaid", "billing/InvoiceIssued", "shop/OrderShipped"]));
    expect(new Set(trail.map((f) => f.meta.correlationId)).size).toBe(1);
  });

  it("the same seed again does not publish the history twice", async () => {
    const before = await latestSerial(fixture.client);
    const run = runDemo(["--once", "--seed", "11", "--facts", "1500"]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/already has the history of seed 11/);
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
