/** Store processes on a FaultCluster's database, and what a fault test checks about them afterwards. */
import { afterAll, beforeAll, expect } from "vitest";
import { createFactStoreClient, type FactStoreClient } from "../../support/client.js";
import type { TestDatabase } from "../../support/database.js";
import { startStore, type RunningStore } from "../../support/store.js";
import { FaultCluster, sleep } from "./cluster.js";

export interface StoreOnCluster {
  store: RunningStore;
  client: FactStoreClient;
}

/** Starts a store process on `databaseUrl` (a database of the cluster). */
export async function startStoreOn(databaseUrl: string, env: Record<string, string> = {}): Promise<StoreOnCluster> {
  const store = await startStore({ databaseUrl, env });
  return { store, client: createFactStoreClient(store.url) };
}

/** Two store instances sharing one database of their own fault cluster. */
export interface TwoStores {
  cluster: FaultCluster;
  database: TestDatabase;
  a: StoreOnCluster;
  b: StoreOnCluster;
}

/**
 * Registers the file's setup: a fault cluster, a database `name` on it and two store instances on
 * that database, started before the file's tests and stopped after them. The returned object is
 * filled in by then. The stores beat every 500 ms, so a failure report (./diagnose.ts) shows the
 * store's view of each follower at most that old.
 */
export function twoStoresOnCluster(name: string): TwoStores {
  const stores = {} as TwoStores;
  beforeAll(async () => {
    stores.cluster = await FaultCluster.start();
    stores.database = await stores.cluster.createDatabase(name);
    const env = { FACTLINE_HEARTBEAT_MS: "500" };
    [stores.a, stores.b] = await Promise.all([
      startStoreOn(stores.database.url, env),
      startStoreOn(stores.database.url, env),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stores.a?.store.stop(), stores.b?.store.stop()]);
    await stores.cluster?.close();
  }, 60_000);
  return stores;
}

/** The store process is still running and never crashed on an unhandled error. */
export function expectAlive(store: RunningStore): void {
  expect(store.process.exitCode, `the store exited:\n${store.output().slice(-3000)}`).toBeNull();
  expect(store.output()).not.toMatch(/Unhandled|uncaught/i);
}

/**
 * Publishes one probe fact through `client` until it is acknowledged and returns how long that took:
 * the store's recovery time once the database answers again.
 */
export async function timeToFirstPublish(
  client: FactStoreClient,
  publishOne: () => Promise<unknown>,
  timeoutMs = 30_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await publishOne();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await sleep(50);
    }
  }
}

/** Restarts the cluster and resolves once it accepts connections, with the time that took. */
export async function restartAndTime(cluster: FaultCluster): Promise<number> {
  const started = Date.now();
  await cluster.start();
  return Date.now() - started;
}
