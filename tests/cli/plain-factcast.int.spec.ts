// The CLI against a server without factline's admin services (FACTLINE_ADMIN_SERVICES=off makes the
// store look like plain FactCast): everything works from FactCast's protocol alone, and info says
// what it cannot show. Also the gap handling of --from, with and without the admin services.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";
import { ndjson, runCli } from "./run-cli.js";

let db: TestDatabase;
let plain: RunningStore;
let factline: StoreFixture;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgAdminUrl"), "cli_plain");
  plain = await startStore({ databaseUrl: db.url, env: { FACTLINE_ADMIN_SERVICES: "off" } });
  factline = await startStoreOnFreshDatabase("cli_gaps");
});
afterAll(async () => {
  await plain?.stop();
  await db?.drop();
  await factline?.close();
});

/**
 * Publishes 1, 2, then skips serials as a rolled-back publish does (PostgreSQL sequences never give
 * numbers back), then 3.
 */
async function factsAroundAGap(url: string, databaseUrl: string, ns: string): Promise<number[]> {
  await runCli(url, ["publish", "--ns", ns], { input: "1\n2\n" });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      "SELECT setval(pg_get_serial_sequence('fact', 'ser'), nextval(pg_get_serial_sequence('fact', 'ser')) + 5)",
    );
  } finally {
    await client.end();
  }
  await runCli(url, ["publish", "--ns", ns], { input: "3\n" });
  const serials = ndjson((await runCli(url, ["catchup", "--ns", ns])).stdout).map((f) => f.header.meta._ser as number);
  expect(serials[2] - serials[1]).toBeGreaterThan(1); // the gap this test is about
  return serials;
}

describe.each([
  ["a plain FactCast server", () => ({ url: plain.url, databaseUrl: db.url })],
  ["a factline store", () => ({ url: factline.store.url, databaseUrl: factline.databaseUrl })],
])("--from a serial inside a gap, on %s", (_, target) => {
  it("starts with the next fact that exists", async () => {
    const ns = uniqueName("gap");
    const { url, databaseUrl } = target();
    const serials = await factsAroundAGap(url, databaseUrl, ns);
    const res = await runCli(url, ["catchup", "--ns", ns, "--from", String(serials[1] + 1)]);
    expect(ndjson(res.stdout).map((f) => f.payload)).toEqual([3]);
    const after = await runCli(url, ["catchup", "--ns", ns, "--after", String(serials[1] + 1)]);
    expect(ndjson(after.stdout).map((f) => f.payload)).toEqual([3]);
  });
});

describe("on a plain FactCast server", () => {
  it("info lists names without counts and says why", async () => {
    const ns = uniqueName("plain");
    await runCli(plain.url, ["publish", "--ns", ns, "--type", "T", "--version", "3"], { input: "{}\n" });
    const human = await runCli(plain.url, ["info"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${ns}\\s+T\\s+3`));
    expect(human.stdout).toMatch(/counts need factline's admin services/);
    const info = JSON.parse((await runCli(plain.url, ["info", "--json"])).stdout);
    expect(info.counts).toBe(false);
    expect(info.catalog).toContainEqual({ ns, type: "T", version: 3 });
  });

  it("publish, catchup and get work as on factline", async () => {
    const ns = uniqueName("plainrw");
    const published = await runCli(plain.url, ["publish", "--ns", ns, "--json"], { input: `{"a": 1}\n` });
    const { serial } = JSON.parse(published.stdout);
    expect((await runCli(plain.url, ["get", String(serial), "--json"])).stdout).toMatch(/"payload":\{"a": 1\}\}\n$/);
  });
});
