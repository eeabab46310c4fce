/** Store processes on a FaultCluster's database, and what a fault test checks about them afterwards. */
import { expect } from "vitest";
import { createFactStoreClient, type FactStoreClient } from "../../support/client.js";
import { startStore, type RunningStore } from "../../support/store.js";
import { sleep, type FaultCluster } from "./cluster.js";

export interface StoreOnCluster {
  store: RunningStore;
  client: FactStoreClient;
}

/** Starts a store process on `databaseUrl` (a database of the cluster). */
export async function startStoreOn(databaseUrl: string, env: Record<string, string> = {}): Promise<StoreOnCluster> {
  const store = await startStore({ databaseUrl, env });
  return { store, client: createFactStoreClient(store.url) };
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
