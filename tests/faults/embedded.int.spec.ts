// Fault case 6: the embedded PostgreSQL behind `npm start` / `npm run store`, supervised by the store.
// kill -9 of the postmaster under a running store: the store starts it again on the same port and
// data directory, says so in one warn line and one line when it is back, and publishes and a
// follower carry on with nothing lost or repeated. A crash loop is bounded: past five crashes in ten
// minutes the store stops with an error naming the server's log. Two stores on one data directory
// share the server: the first one stopping leaves it to the second, a killed one does not count,
// and the last one out stops it.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { launchStore, type LaunchedStore } from "../../scripts/launch/store.js";
import { createFactStoreClient, type FactStoreClient } from "../support/client.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import { sleep } from "./support/cluster.js";
import { expectAlive, timeToFirstPublish } from "./support/setup.js";
import { audit, Follower, printFigures, Publisher } from "./support/workload.js";

const RESTARTING = /embedded PostgreSQL stopped unexpectedly; restarting it/g;
const BACK = /embedded PostgreSQL is back/g;
/** A kill -9 recovery: crash recovery of a small cluster plus the backoff of the third crash (2 s). */
const RECOVERY_BOUND_MS = 20_000;

const dataDirs: string[] = [];
const stores: LaunchedStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.stop()));
  for (const dir of dataDirs) {
    // Whatever a failed test left running on its data dir goes with it.
    for (const pid of postgresProcessesFor(dir)) process.kill(pid, "SIGKILL");
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 60_000);

async function newDataDir(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `factline-faults-${label}-`));
  dataDirs.push(dir);
  return dir;
}

/** A store process as `npm run store` runs it with no DATABASE_URL: on the embedded PostgreSQL of `dataDir`. */
async function storeOn(dataDir: string): Promise<{ store: LaunchedStore; client: FactStoreClient }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTLINE_DATA_DIR: dataDir,
    FACTLINE_STORE_HOST: "127.0.0.1",
    FACTLINE_STORE_PORT: "0",
    FACTLINE_HTTP_PORT: "0",
  };
  delete env.DATABASE_URL;
  const store = await launchStore({ env });
  stores.push(store);
  return { store, client: createFactStoreClient(store.url) };
}

/** The running postmaster of `dataDir` as its postmaster.pid says (pid 0 while none is ready). */
async function postmasterOf(dataDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => "")).split(
    "\n",
  );
  const ready = lines[7]?.trim() === "ready";
  return { pid: ready ? Number(lines[0]) : 0, port: Number(lines[3]) || 0 };
}

/** Processes working in `dataDir`'s cluster: the postmaster and its backends. */
function postgresProcessesFor(dataDir: string): number[] {
  const pgdata = path.join(dataDir, "postgres");
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(pgdata) && !line.includes("ps -eo"))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(20)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
  }
}

/**
 * kill -9 of the postmaster; resolves once the store says it is back (its restart includes checking
 * that the server answers), with the time that took, and checks that it listens on the same port.
 */
async function killAndAwaitRestart(dataDir: string, store: LaunchedStore): Promise<number> {
  const before = await postmasterOf(dataDir);
  expect(before.pid).toBeGreaterThan(0);
  const backs = store.output().match(BACK)?.length ?? 0;
  process.kill(before.pid, "SIGKILL");
  const killed = Date.now();
  await waitFor(
    "the store did not say the server is back",
    async () => ((store.output().match(BACK)?.length ?? 0) > backs ? true : undefined),
    RECOVERY_BOUND_MS + 30_000,
  );
  const restartMs = Date.now() - killed;
  const after = await postmasterOf(dataDir);
  expect(after.pid).not.toBe(before.pid);
  expect(alive(after.pid)).toBe(true);
  expect(after.port).toBe(before.port);
  return restartMs;
}

describe("the embedded PostgreSQL, supervised by the store", () => {
  it("kill -9 of the postmaster, 3 rounds: the store restarts it, publishes and a follower carry on", async () => {
    const dataDir = await newDataDir("supervise");
    const { store, client } = await storeOn(dataDir);
    const ns = uniqueName("supervised");
    const follower = new Follower(client, { ns, resubscribe: true, keepaliveMs: 3_000 }).start();
    const publisher = new Publisher(client, {
      ns,
      batch: () => 1 + Math.floor(Math.random() * 5),
      deadlineMs: 5_000,
    }).start();

    const ROUNDS = 3;
    const restarts: number[] = [];
    const recoveries: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await waitFor("no publish acknowledged", async () => (publisher.batches.length > 0 ? true : undefined), 20_000);
      await sleep(700);
      const restartMs = await killAndAwaitRestart(dataDir, store);
      restarts.push(restartMs);
      const acked = publisher.batches.length;
      const up = Date.now();
      await waitFor(
        `round ${round}: no publish acknowledged after the restart`,
        async () => (publisher.batches.length > acked ? true : undefined),
        30_000,
      );
      recoveries.push(restartMs + Date.now() - up);
    }
    const probe = await timeToFirstPublish(client, () => client.publish(factsMsg([fact({ ns, type: "Probe" })])));
    await publisher.stop();
    const acknowledged = publisher.acknowledged;
    await follower.waitFor(acknowledged, 60_000);
    await sleep(300);
    await follower.stop();
    // The probe fact is not among the publisher's: audit the publisher's facts.
    const result = audit(
      acknowledged,
      follower.facts.filter((f) => f.type !== "Probe"),
    );
    const output = store.output();
    printFigures("case 6 embedded kill -9", {
      rounds: ROUNDS,
      ...result,
      failedPublishes: publisher.failures.length,
      markedDatabaseUnavailable: publisher.failures.filter((f) => f.databaseUnavailable).length,
      clientDeadlines: publisher.failures.filter((f) => f.code === Code.DeadlineExceeded).length,
      slowestFailureMs: Math.max(0, ...publisher.failures.map((f) => f.ms)),
      resubscriptions: follower.subscriptions - 1,
      postmasterRestartMs: restarts.join("/"),
      recoveryMs: recoveries.join("/"),
      publishAfterRecoveryMs: probe,
      warnLines: output.match(RESTARTING)?.length ?? 0,
      backLines: output.match(BACK)?.length ?? 0,
    });
    expect(publisher.rejections).toEqual([]);
    expect(publisher.unresolved).toEqual([]);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    // The stream outlived every outage (each far below FACTLINE_DB_OUTAGE_MS).
    expect(follower.subscriptions).toBe(1);
    // One warn line per crash and one line when the server is back, no more.
    expect(output.match(RESTARTING)).toHaveLength(ROUNDS);
    expect(output.match(BACK)).toHaveLength(ROUNDS);
    // The third crash in the window waited its backoff (2 s) before the restart.
    expect(output).toMatch(/restartInMs\W+2000/);
    for (const ms of recoveries) expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    // Every publish that failed meanwhile said why: UNAVAILABLE, marked "database unavailable" — or
    // ran into the client's own 5 s deadline while the store was finding out whether a commit the
    // kill interrupted had been stored (README "Failures and recovery"); its retry then succeeded.
    expect(publisher.failures.length).toBeGreaterThan(0);
    for (const f of publisher.failures) {
      if (f.code !== Code.DeadlineExceeded)
        expect(f).toMatchObject({ code: Code.Unavailable, databaseUnavailable: true });
    }
    expect(publisher.failures.filter((f) => f.code === Code.DeadlineExceeded).length).toBeLessThanOrEqual(ROUNDS);
    expectAlive(store);

    // Stopping the store stops the server it started: nothing of it keeps running.
    const exit = await store.stop();
    expect(exit).toMatchObject({ code: 0, forced: false });
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  }, 180_000);

  it("a crash loop is bounded: the sixth crash in ten minutes stops the store with an error", async () => {
    const dataDir = await newDataDir("crashloop");
    const { store } = await storeOn(dataDir);
    const restarts: number[] = [];
    for (let crash = 1; crash <= 5; crash++) restarts.push(await killAndAwaitRestart(dataDir, store));
    const last = await postmasterOf(dataDir);
    process.kill(last.pid, "SIGKILL");
    const killed = Date.now();
    const exit = await Promise.race([store.exited, sleep(20_000).then(() => undefined)]);
    const exitedAfterMs = Date.now() - killed;
    printFigures("case 6 embedded crash loop", {
      crashes: 6,
      restartMs: restarts.join("/"),
      exitCode: exit?.code ?? "still running",
      exitedAfterMs,
    });
    expect(exit?.code).toBe(1);
    expect(store.stderr()).toMatch(
      /embedded PostgreSQL stopped 6 times within 10 min .*not restarting it again; see .*postgres\.log; stopping the store/,
    );
    expect(store.output().match(RESTARTING)).toHaveLength(5);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  }, 180_000);

  it("two stores on one data dir: the first stopping leaves the server to the second; the last one out stops it", async () => {
    const dataDir = await newDataDir("shared");
    const a = await storeOn(dataDir);
    const b = await storeOn(dataDir);
    const server = await postmasterOf(dataDir);
    expect(b.store.stderr()).not.toMatch(RESTARTING);

    const ns = uniqueName("shared");
    const follower = new Follower(b.client, { ns, keepaliveMs: 3_000 }).start();
    const publisher = new Publisher(b.client, { ns, batch: 3, deadlineMs: 5_000, pauseMs: 20 }).start();
    await sleep(1_000);
    const beforeStop = publisher.batches.length;
    const stopA = await a.store.stop();
    const stoppedAt = Date.now();
    await sleep(2_000);
    const duringB = publisher.batches.length - beforeStop;
    await publisher.stop();
    await follower.waitFor(publisher.acknowledged, 30_000);
    await follower.stop();
    const result = audit(publisher.acknowledged, follower.facts);

    // A third store joins, then the second is killed: its registration must not keep the server up.
    const c = await storeOn(dataDir);
    b.store.kill();
    await b.store.exited;
    expect((await postmasterOf(dataDir)).pid).toBe(server.pid);
    await c.client.publish(factsMsg([fact({ ns, type: "AfterKill" })]));
    const lastStart = Date.now();
    const stopC = await c.store.stop();
    const lastOutMs = Date.now() - lastStart;
    const remaining = postgresProcessesFor(dataDir);

    printFigures("case 6 embedded shared data dir", {
      stores: 3,
      publishedThroughSecondAfterFirstStopped: duringB,
      ...result,
      failedPublishes: publisher.failures.length,
      serverRestarts: [a, b, c].reduce((n, s) => n + (s.store.output().match(RESTARTING)?.length ?? 0), 0),
      lastOutStopMs: lastOutMs,
      processesLeft: remaining.length,
      sinceFirstStopMs: Date.now() - stoppedAt,
    });
    expect(stopA).toMatchObject({ code: 0, forced: false });
    expect(a.store.stderr()).toMatch(/embedded PostgreSQL keeps running for the other stores on this data directory/);
    // The server never went down: same postmaster, no publish failed, the follower never resubscribed.
    expect(duringB).toBeGreaterThan(0);
    expect(publisher.failures).toEqual([]);
    expect(follower.subscriptions).toBe(1);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    for (const s of [a, b, c]) expect(s.store.output()).not.toMatch(RESTARTING);
    // The last one out stopped it, although the killed store never said goodbye.
    expect(stopC).toMatchObject({ code: 0, forced: false });
    expect(remaining).toEqual([]);
    expect((await postmasterOf(dataDir)).pid).toBe(0);
  }, 180_000);
});
