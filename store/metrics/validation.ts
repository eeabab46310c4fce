// Where payloads are validated (store/schemas/payload-checks.ts) and how the validation workers
// (store/schemas/validation-pool.ts) fare, read when Prometheus scrapes.
import { Counter, Gauge } from "prom-client";
import type { PayloadChecks } from "../schemas/payload-checks";
import { registry } from "./registry";

/** Registers the validation gauges and counters (once, at start). */
export function observeValidation(checks: PayloadChecks): void {
  const { pool } = checks;
  new Gauge({
    name: "factline_validation_workers",
    help: "Validation worker threads by state: busy (parsing or validating), idle (started, waiting).",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const stats = pool.stats();
      this.labels("busy").set(stats.busy);
      this.labels("idle").set(stats.workers - stats.busy);
    },
  });
  new Gauge({
    name: "factline_validation_queued_jobs",
    help: "Validation jobs waiting for a free validation worker.",
    registers: [registry],
    collect() {
      this.set(pool.stats().queued);
    },
  });
  const seen = { inline: 0, worker: 0, time: 0, memory: 0, crash: 0 };
  new Counter({
    name: "factline_validation_calls_total",
    help: "Calls whose payloads were checked, by where: inline (main thread, small and quick) or worker.",
    labelNames: ["where"] as const,
    registers: [registry],
    collect() {
      for (const where of ["inline", "worker"] as const) {
        const now = checks.counts[where];
        if (now > seen[where]) this.labels(where).inc(now - seen[where]);
        seen[where] = now;
      }
    },
  });
  new Counter({
    name: "factline_validation_jobs_stopped_total",
    help: "Validation jobs whose worker was stopped, by reason: time (past FACTLINE_VALIDATION_TIME_MS), memory, crash.",
    labelNames: ["reason"] as const,
    registers: [registry],
    collect() {
      const { failures } = pool.stats();
      for (const reason of ["time", "memory", "crash"] as const) {
        if (failures[reason] > seen[reason]) this.labels(reason).inc(failures[reason] - seen[reason]);
        seen[reason] = failures[reason];
      }
    },
  });
}
