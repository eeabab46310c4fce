// Metrics read from the running store when Prometheus scrapes, not counted as things happen: pool
// occupancy, reachability, the tail's position, subscriptions and their lag. They cost nothing
// between scrapes.
import { collectDefaultMetrics, Counter, Gauge } from "prom-client";
import type { Sandbox } from "../sandbox/sandbox";
import type { PoolRole, StoreDatabase } from "../storage/db";
import { SUBSCRIPTION_MODES, type LocalSubscriptions } from "../instances/tracked";
import type { TailHub } from "../subscriptions/tail";
import { registry } from "./registry";
import { REPLICA_STATES } from "../storage/replicas/replica";

const ROLES: PoolRole[] = ["reads", "lookups", "writes", "tail"];

export interface ObservedRuntime {
  version: string;
  instanceId: string;
  db: StoreDatabase;
  tail: TailHub;
  subscriptions: LocalSubscriptions;
  sandbox: Sandbox;
}

/** Registers the scrape-time metrics of this store process (once, at start) and Node's own. */
export function observeRuntime(runtime: ObservedRuntime): void {
  // Process and Node metrics under their usual names (process_cpu_seconds_total, nodejs_heap_size_used_bytes …).
  collectDefaultMetrics({ register: registry });
  const { db, tail, subscriptions, sandbox } = runtime;

  new Gauge({
    name: "factline_instance_info",
    help: "Always 1; labels name this store instance and its version.",
    labelNames: ["instance", "version"] as const,
    registers: [registry],
    collect() {
      this.labels(runtime.instanceId, runtime.version).set(1);
    },
  });

  new Gauge({
    name: "factline_db_pool_connections",
    help: "Database connections of this instance by pool role and state (in_use, idle).",
    labelNames: ["role", "state"] as const,
    registers: [registry],
    collect() {
      for (const role of ROLES) {
        const pool = db[role];
        this.labels(role, "in_use").set(pool.totalCount - pool.idleCount);
        this.labels(role, "idle").set(pool.idleCount);
      }
    },
  });

  new Gauge({
    name: "factline_db_pool_max_connections",
    help: "The most connections each pool role may open (FACTLINE_DB_POOL_SIZE shared out by role).",
    labelNames: ["role"] as const,
    registers: [registry],
    collect() {
      for (const role of ROLES) this.labels(role).set(db[role].options.max ?? 0);
    },
  });

  new Gauge({
    name: "factline_db_pool_waiting_requests",
    help: "Operations waiting for a connection of their pool role.",
    labelNames: ["role"] as const,
    registers: [registry],
    collect() {
      for (const role of ROLES) this.labels(role).set(db[role].waitingCount);
    },
  });

  new Gauge({
    name: "factline_db_reachable",
    help: "1 while this instance reaches PostgreSQL, 0 during an outage.",
    registers: [registry],
    collect() {
      this.set(db.health.reachable() ? 1 : 0);
    },
  });

  new Gauge({
    name: "factline_subscriptions_active",
    help: "Subscriptions this instance serves now, by mode (catchup, follow, ephemeral).",
    labelNames: ["mode"] as const,
    registers: [registry],
    collect() {
      const counts = Object.fromEntries(SUBSCRIPTION_MODES.map((m) => [m, 0]));
      for (const s of subscriptions.all()) counts[s.mode]++;
      for (const mode of SUBSCRIPTION_MODES) this.labels(mode).set(counts[mode]);
    },
  });

  // Followers only: a catch-up is behind by design. Both figures are the worst over this instance.
  new Gauge({
    name: "factline_follower_lag_max_facts",
    help: "Facts the furthest-behind live follower of this instance has yet to examine (tail position minus its position).",
    registers: [registry],
    collect() {
      const head = tail.headSerial();
      let worst = 0n;
      for (const s of subscriptions.all()) {
        if (s.mode === "catchup" || !s.caughtUp) continue;
        const lag = head - s.position(head);
        if (lag > worst) worst = lag;
      }
      this.set(Number(worst));
    },
  });

  new Gauge({
    name: "factline_follower_lag_max_seconds",
    help: "How long the oldest fact waiting for a live follower of this instance has waited.",
    registers: [registry],
    collect() {
      const now = Date.now();
      let worst = 0;
      for (const s of subscriptions.all()) worst = Math.max(worst, s.waitingMs(now));
      this.set(worst / 1000);
    },
  });

  // The sandbox's pool (store/sandbox/pool.ts); its runs are counted as they finish (store/store.ts).
  new Gauge({
    name: "factline_sandbox_workers",
    help: "Sandbox worker threads by state: busy (running a job), idle (started, waiting).",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const stats = sandbox.stats();
      this.labels("busy").set(stats.busy);
      this.labels("idle").set(stats.workers - stats.busy);
    },
  });

  new Gauge({
    name: "factline_sandbox_queued_jobs",
    help: "Sandbox jobs waiting for a free worker.",
    registers: [registry],
    collect() {
      this.set(sandbox.stats().queued);
    },
  });

  let restartsSeen = 0;
  new Counter({
    name: "factline_sandbox_worker_restarts_total",
    help: "Sandbox workers replaced after a script broke a limit or the worker crashed.",
    registers: [registry],
    collect() {
      const restarts = sandbox.stats().restarts;
      if (restarts > restartsSeen) this.inc(restarts - restartsSeen);
      restartsSeen = restarts;
    },
  });

  new Gauge({
    name: "factline_tail_namespaces",
    help: "Namespaces the live tail indexes followers under; a namespace leaves when its last follower does.",
    registers: [registry],
    collect() {
      this.set(tail.indexedNamespaces());
    },
  });

  new Gauge({
    name: "factline_tail_position_serial",
    help: "The newest serial the live tail has read and handed to followers.",
    registers: [registry],
    collect() {
      this.set(Number(tail.headSerial()));
    },
  });

  const replicas = db.replicas?.replicas ?? [];
  if (replicas.length === 0) return;

  new Gauge({
    name: "factline_replica_state",
    help: "1 for the state each read replica of FACTLINE_READ_URLS is in (healthy, lagging, unreachable, refused), 0 for the others; only healthy replicas serve reads.",
    labelNames: ["replica", "state"] as const,
    registers: [registry],
    collect() {
      for (const r of replicas)
        for (const state of REPLICA_STATES) this.labels(r.name, state).set(r.state === state ? 1 : 0);
    },
  });

  new Gauge({
    name: "factline_replica_position_serial",
    help: "The highest serial visible on each read replica at its last poll (every fact up to it is there).",
    labelNames: ["replica"] as const,
    registers: [registry],
    collect() {
      for (const r of replicas) this.labels(r.name).set(Number(r.serial));
    },
  });

  new Gauge({
    name: "factline_replica_lag_seconds",
    help: "How long each read replica has been missing a fact the primary had (0 when it had all at its last poll); past 5 s it is lagging.",
    labelNames: ["replica"] as const,
    registers: [registry],
    collect() {
      for (const r of replicas) this.labels(r.name).set(r.lagMs / 1000);
    },
  });
}
