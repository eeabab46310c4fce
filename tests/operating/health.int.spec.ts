// /health/ready follows the database: false (503) while its PostgreSQL is stopped, true (200) again
// once it is back; /health/live stays 200 throughout. Uses the fault suite's own PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultCluster, sleep } from "../faults/support/cluster.js";
import { startStoreOn, type StoreOnCluster } from "../faults/support/setup.js";
import type { TestDatabase } from "../support/database.js";

let cluster: FaultCluster;
let database: TestDatabase;
let s: StoreOnCluster;

beforeAll(async () => {
  cluster = await FaultCluster.start();
  database = await cluster.createDatabase("health");
  s = await startStoreOn(database.url);
}, 120_000);

afterAll(async () => {
  await s?.store.stop();
  await cluster?.close();
}, 60_000);

interface Ready {
  status: number;
  body: { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
}

async function ready(): Promise<Ready> {
  const res = await fetch(`${s.store.httpUrl}/health/ready`);
  return { status: res.status, body: (await res.json()) as Ready["body"] };
}

async function until(want: number, timeoutMs: number): Promise<{ last: Ready; ms: number }> {
  const started = Date.now();
  let last = await ready();
  while (last.status !== want) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`/health/ready stayed ${last.status} for ${timeoutMs} ms: ${JSON.stringify(last.body)}`);
    }
    await sleep(100);
    last = await ready();
  }
  return { last, ms: Date.now() - started };
}

describe("GET /health/ready", () => {
  it("is ready with the database up, not ready while it is stopped, and ready again after it restarts", async () => {
    const up = await ready();
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      ready: true,
      checks: { database: { ok: true }, migrations: { ok: true }, tail: { ok: true } },
    });
    expect(up.body.checks.migrations.detail).toMatch(/^schema version \d+$/);

    await cluster.stopFast();
    const down = await until(503, 15_000);
    expect(down.last.body.ready).toBe(false);
    expect(down.last.body.checks.database.ok).toBe(false);
    // Nothing a driver says (addresses, users) reaches an endpoint that may be open to anyone.
    expect(JSON.stringify(down.last.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres:/);
    const live = await fetch(`${s.store.httpUrl}/health/live`);
    expect(live.status).toBe(200);

    await cluster.start();
    const back = await until(200, 30_000);
    expect(back.last.body).toMatchObject({ ready: true });
    console.log(`readiness: false within ${down.ms} ms of the stop, true ${back.ms} ms after the restart`);
  });

  it("does not hold up a stop while the database is away (the instance's registry rows lapse instead)", async () => {
    await cluster.stopFast();
    await until(503, 15_000);
    const started = Date.now();
    const exit = await s.store.stop();
    expect(exit.forced).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    await cluster.start();
  });
});
