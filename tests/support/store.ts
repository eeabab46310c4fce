// Runs the store as its own process, exactly as an operator would (`node --import tsx
// store/main.ts`), so the conformance suite exercises the real gRPC server, its migrations and
// its shutdown path — never in-process calls.
import { inject } from "vitest";
import { launchStore, type LaunchedStore } from "../../scripts/launch/store.js";
import type { ChildExit } from "../../scripts/launch/process.js";
import { createTestDatabase } from "./database.js";
import "./provided.js";
import { createFactStoreClient, type FactStoreClient } from "./client.js";

export type StoreExit = ChildExit;
export type RunningStore = LaunchedStore;

export interface StartStoreOptions {
  databaseUrl: string;
  env?: Record<string, string>;
}

/** One store process on `databaseUrl`, on a free port of 127.0.0.1 (scripts/launch/store.ts). */
export function startStore({ databaseUrl, env }: StartStoreOptions): Promise<RunningStore> {
  return launchStore({
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      FACTLINE_STORE_HOST: "127.0.0.1",
      FACTLINE_STORE_PORT: "0",
      FACTLINE_HTTP_PORT: "0",
      ...env,
    },
  });
}

export interface StoreFixture {
  store: RunningStore;
  client: FactStoreClient;
  databaseUrl: string;
  /** Stops the store and drops the database. */
  close(): Promise<void>;
}

export interface FreshStoreOptions {
  env?: Record<string, string>;
  /** The CA file the fixture's client trusts, for a store started with FACTLINE_TLS_CERT/KEY. */
  ca?: string;
}

/**
 * A fresh database (from the int projects' PostgreSQL) with one store process on it.
 * `label` only names the database, to tell leftovers apart.
 */
export async function startStoreOnFreshDatabase(
  label = "conformance",
  { env, ca }: FreshStoreOptions = {},
): Promise<StoreFixture> {
  const db = await createTestDatabase(inject("pgAdminUrl"), label);
  let store: RunningStore;
  try {
    store = await startStore({ databaseUrl: db.url, env });
  } catch (e) {
    await db.drop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n(PostgreSQL: ${inject("pgLabel")})`, { cause: e });
  }
  return {
    store,
    client: createFactStoreClient(store.url, { ca }),
    databaseUrl: db.url,
    close: async () => {
      await store.stop();
      await db.drop();
    },
  };
}
