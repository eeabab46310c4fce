import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Appender } from "./storage/group-commit";
import { openDatabase, type StoreDatabase } from "./storage/db";
import { DatabaseHealth } from "./storage/health";
import { SchemaRegistry, type ValidationPolicy } from "./schemas/registry";
import { NotificationListener } from "./storage/listener";
import { migrate } from "./storage/migrate";
import { checkDatabase } from "./storage/preflight";
import { deleteExpiredTokens } from "./storage/tokens";
import { TailHub } from "./subscriptions/tail";
import { InstanceHeartbeat } from "./instances/heartbeat";
import { LocalSubscriptions } from "./instances/tracked";
import { Sandbox } from "./sandbox/sandbox";
import { sandboxItems, sandboxRuns, sandboxRunSeconds } from "./metrics/registry";
import { TransformationCache, type CacheLimits } from "./transformations/cache";
import { TransformationRegistry } from "./transformations/registry";
import { Transformer } from "./transformations/transformer";
import type { ReplicasConfig, SandboxConfig, ValidationWorkersConfig } from "./config";
import { ReplicaSet } from "./storage/replicas/replica-set";
import { PayloadChecks } from "./schemas/payload-checks";
import { ValidationPool } from "./schemas/validation-pool";
import { log } from "./log";

/** Everything the protocol services need from a running store instance. */
export interface StoreRuntime {
  version: string;
  /** This instance's id in logs, metrics and the instance registry; new at every start. */
  instanceId: string;
  /**
   * The pools by role (reads, lookups, writes, tail) and `db.health`: whether PostgreSQL is
   * reachable right now (`reachable()`, `status()`, events "down" and "up").
   */
  db: StoreDatabase;
  appender: Appender;
  tail: TailHub;
  /** Aborted when the store begins shutting down: subscriptions end with UNAVAILABLE. */
  shutdown: AbortSignal;
  cursorIdleMs: number;
  /** How long one catch-up read may run before it is cancelled (0: no limit). */
  catchupReadTimeoutMs: number;
  registry: SchemaRegistry;
  /** Where payloads are parsed and validated: inline when cheap, else in the validation workers. */
  checks: PayloadChecks;
  /** Where transformations and filter scripts run (docs/sandbox.md); workers start on first use. */
  sandbox: Sandbox;
  /** The transformations, their chains and the cache of their results (store/transformations/). */
  transformations: { registry: TransformationRegistry; transformer: Transformer; cache: TransformationCache };
  /** FACTLINE_FILTER_SCRIPTS: whether subscriptions may carry filter scripts. */
  filterScripts: boolean;
  /** What this instance is doing, for InstanceService and operators. */
  stats: { activeSubscriptions: number; readonly startedMs: number };
  /** The subscriptions this instance serves, with their positions (OperationsService, metrics). */
  subscriptions: LocalSubscriptions;
  /** This instance in the database's instance registry; main.ts announces it once it listens. */
  instance: InstanceHeartbeat;
  close(): Promise<void>;
}

export interface StoreOptions {
  poolSize: number;
  cursorIdleMs: number;
  validation: ValidationPolicy;
  validationWorkers: ValidationWorkersConfig;
  /** How long subscriptions wait for an unreachable database before ending with UNAVAILABLE. */
  dbOutageMs: number;
  catchupReadTimeoutMs: number;
  sandbox: SandboxConfig;
  filterScripts: boolean;
  /** The transformation cache's bound in bytes (0: no cache). */
  transformationCacheBytes: number;
  /** Smaller write bounds than the cache's own (store/transformations/cache.ts), for tests only. */
  transformationCacheLimits?: CacheLimits;
  /** How often the instance registry is updated (FACTLINE_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Hot-standby replicas for reads (FACTLINE_READ_URLS); none: the primary serves every read. */
  replicas?: ReplicasConfig;
  /**
   * false: validation workers start when the first job needs one, not before the store answers.
   * Only for stores opened many times in one process (FactCast's store suite, a store per test):
   * each worker costs ~0.6 s of CPU to load.
   */
  warmWorkers?: boolean;
}

// Validation jobs waiting for a worker: at most this many, holding at most this much payload text
// (a few full-size publishes), for at most this long; past any, a call is answered UNAVAILABLE
// (retried by FactCast's client) instead of waiting behind slow jobs without end.
const VALIDATION_QUEUE = { maxQueuedJobs: 1_000, maxQueuedChars: 256 * 1024 * 1024, maxWaitMs: 30_000 };

// Expired optimistic-lock tokens are swept this often; any instance may do it, the DELETE is idempotent.
const TOKEN_SWEEP_MS = 60 * 60 * 1000;
const DEFAULT_HEARTBEAT_MS = 2_000;

export const STORE_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

/** Connects to PostgreSQL, migrates, checks what the store relies on, and starts the live tail. */
export async function openStore(databaseUrl: string, options: StoreOptions): Promise<StoreRuntime> {
  const { poolSize, cursorIdleMs } = options;
  const health = new DatabaseHealth(databaseUrl, options.dbOutageMs);
  const db = openDatabase(databaseUrl, poolSize, health);
  try {
    await migrate(db.lookups);
    await checkDatabase(db.lookups);
  } catch (err) {
    health.stop();
    await db.end();
    throw err;
  }
  // Replicas are polled from here on; one that is down at start is only logged, and used once it answers.
  const replicas = new ReplicaSet(options.replicas?.urls ?? [], options.replicas?.poolSize ?? 2, db.lookups);
  db.replicas = replicas;
  await replicas.start();
  const listener = new NotificationListener(databaseUrl, health);
  const tail = new TailHub(db.tail, listener, health);
  const validationPool = new ValidationPool({
    workers: options.validationWorkers.workers,
    timeoutMs: options.validationWorkers.timeMs,
    ...VALIDATION_QUEUE,
  });
  const warming = options.warmWorkers === false ? Promise.resolve() : validationPool.warm();
  const checks = new PayloadChecks(validationPool);
  const registry = new SchemaRegistry(db.lookups, listener, options.validation, checks);
  const transformationRegistry = new TransformationRegistry(db.lookups, listener, registry);
  const sandbox = new Sandbox(options.sandbox);
  sandbox.observe((run) => {
    sandboxRuns.inc({ kind: run.kind, outcome: run.outcome });
    sandboxRunSeconds.observe({ kind: run.kind }, run.ms / 1000);
    if (run.items > 0) sandboxItems.inc({ kind: run.kind }, run.items);
  });
  const cache = new TransformationCache(
    db.lookups,
    options.transformationCacheBytes,
    options.transformationCacheLimits,
  );
  const subscriptions = new LocalSubscriptions();
  const startedMs = Date.now();
  const instance = new InstanceHeartbeat(db, listener, subscriptions, tail, {
    id: randomUUID(),
    version: STORE_VERSION,
    startedMs,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  });
  await tail.start();
  await registry.load();
  await transformationRegistry.load();
  await listener.start();
  const appender = new Appender(db.writes, () => tail.nudge(), health, registry);
  // Loaded while the store starts (it answers once they are), so that the first large publish does
  // not wait for a worker, and their memory is taken before the store serves.
  await warming;
  const stopping = new AbortController();
  const sweep = setInterval(() => {
    deleteExpiredTokens(db.lookups).catch((err: Error) => log.warn("token sweep failed", { error: err.message }));
  }, TOKEN_SWEEP_MS);
  sweep.unref();

  return {
    version: STORE_VERSION,
    instanceId: instance.identity.id,
    db,
    appender,
    tail,
    shutdown: stopping.signal,
    cursorIdleMs,
    catchupReadTimeoutMs: options.catchupReadTimeoutMs,
    registry,
    checks,
    sandbox,
    transformations: {
      registry: transformationRegistry,
      transformer: new Transformer(transformationRegistry, sandbox, cache),
      cache,
    },
    filterScripts: options.filterScripts,
    stats: { activeSubscriptions: 0, startedMs },
    subscriptions,
    instance,
    async close() {
      stopping.abort();
      clearInterval(sweep);
      await Promise.all([appender.idle(), instance.stop()]);
      await Promise.all([sandbox.close(), validationPool.close()]);
      await cache.flushed();
      tail.stop();
      health.stop();
      await listener.stop();
      await replicas.stop();
      await db.end();
    },
  };
}
