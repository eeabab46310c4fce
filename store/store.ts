import { readFileSync } from "node:fs";
import { Appender } from "./storage/append";
import { createDb, type Db } from "./storage/db";
import { SchemaRegistry, type ValidationPolicy } from "./schemas/registry";
import { NotificationListener } from "./storage/listener";
import { migrate } from "./storage/migrate";
import { deleteExpiredTokens } from "./storage/tokens";
import { TailHub } from "./subscriptions/tail";
import { log } from "./log";

/** Everything the protocol services need from a running store instance. */
export interface StoreRuntime {
  version: string;
  db: Db;
  appender: Appender;
  tail: TailHub;
  /** Aborted when the store begins shutting down: subscriptions end with UNAVAILABLE. */
  shutdown: AbortSignal;
  cursorIdleMs: number;
  registry: SchemaRegistry;
  /** What this instance is doing, for InstanceService and operators. */
  stats: { activeSubscriptions: number; readonly startedMs: number };
  close(): Promise<void>;
}

// Expired optimistic-lock tokens are swept this often; any instance may do it, the DELETE is idempotent.
const TOKEN_SWEEP_MS = 60 * 60 * 1000;

export const STORE_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

/** Connects to PostgreSQL, migrates, and starts the live tail. */
export async function openStore(
  databaseUrl: string,
  options: { poolSize: number; cursorIdleMs: number; validation: ValidationPolicy },
): Promise<StoreRuntime> {
  const { poolSize, cursorIdleMs } = options;
  const db = createDb(databaseUrl, poolSize);
  try {
    await migrate(db);
  } catch (err) {
    await db.end();
    throw err;
  }
  const listener = new NotificationListener(databaseUrl);
  const tail = new TailHub(db, listener);
  const registry = new SchemaRegistry(db, listener, options.validation);
  await tail.start();
  await registry.load();
  await listener.start();
  const appender = new Appender(db, () => tail.nudge(), registry);
  const stopping = new AbortController();
  const sweep = setInterval(() => {
    deleteExpiredTokens(db).catch((err: Error) => log.warn("token sweep failed", { error: err.message }));
  }, TOKEN_SWEEP_MS);
  sweep.unref();

  return {
    version: STORE_VERSION,
    db,
    appender,
    tail,
    shutdown: stopping.signal,
    cursorIdleMs,
    registry,
    stats: { activeSubscriptions: 0, startedMs: Date.now() },
    async close() {
      stopping.abort();
      clearInterval(sweep);
      await appender.idle();
      tail.stop();
      await listener.stop();
      await db.end();
    },
  };
}
