// The store's Prometheus metrics (README "Operating"), served on the HTTP port by store/http/.
// Names carry their unit and follow Prometheus' conventions (_total counters, _seconds, _bytes).
// Hot paths touch only pre-bound children (no label lookup per fact) and increment once per batch.
import { Counter, Histogram, Registry } from "prom-client";

/** One registry per process: a store process is one instance. */
export const registry = new Registry();

// A unary call takes from a fraction of a millisecond (a lookup served from memory) to seconds (a
// console page under load, a publish waiting for its group); past 10 s the client has given up.
const CALL_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// A group commit is one statement and one fsync: a millisecond on a quiet disk, seconds under a
// lock held too long; the statement timeout of the writers is 30 s (store/storage/db.ts).
const COMMIT_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// One publish is a single fact for most clients and a batch of hundreds for importers; a group holds
// at most 5,000 facts (store/storage/group-commit.ts).
const GROUP_FACTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
// A transformation or filter runs in microseconds per fact; a job is a batch of them; the limit of
// one call is FACTLINE_SANDBOX_TIME_MS (1 s by default).
const SANDBOX_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const grpcStarted = new Counter({
  name: "factline_grpc_server_started_total",
  help: "gRPC calls started, by service and method.",
  labelNames: ["grpc_service", "grpc_method"] as const,
  registers: [registry],
});

export const grpcHandled = new Counter({
  name: "factline_grpc_server_handled_total",
  help: "gRPC calls completed, by service, method and status code (streams count when they end).",
  labelNames: ["grpc_service", "grpc_method", "grpc_code"] as const,
  registers: [registry],
});

export const grpcHandlingSeconds = new Histogram({
  name: "factline_grpc_server_handling_seconds",
  help: "Time from a unary call's arrival to its answer, by service and method (streams are not timed: they last as long as their client reads).",
  labelNames: ["grpc_service", "grpc_method"] as const,
  buckets: CALL_SECONDS,
  registers: [registry],
});

export const factsPublished = new Counter({
  name: "factline_facts_published_total",
  help: "Facts accepted by publish and conditional publish (an identical re-publish of stored facts counts again).",
  registers: [registry],
});

export const publishedPayloadBytes = new Counter({
  name: "factline_published_payload_bytes_total",
  help: "UTF-8 bytes of the payloads of the facts counted in factline_facts_published_total.",
  registers: [registry],
});

export const publishGroupFacts = new Histogram({
  name: "factline_publish_group_facts",
  help: "Facts per group commit: publishes that arrive while a commit runs share the next one.",
  buckets: GROUP_FACTS,
  registers: [registry],
});

export const publishCommitSeconds = new Histogram({
  name: "factline_publish_commit_seconds",
  help: "Time one group commit takes in PostgreSQL, from taking a connection to the durable commit.",
  buckets: COMMIT_SECONDS,
  registers: [registry],
});

export const subscriptionsStarted = new Counter({
  name: "factline_subscriptions_started_total",
  help: "Subscriptions started, by mode: catchup (ends when caught up), follow (continuous), ephemeral (continuous, from now).",
  labelNames: ["mode"] as const,
  registers: [registry],
});

export const factsDelivered = new Counter({
  name: "factline_facts_delivered_total",
  help: "Facts handed to subscribers, by subscription mode and phase (catchup: read from the database; live: from the tail). rate() of phase=catchup is the catch-up read rate.",
  labelNames: ["mode", "phase"] as const,
  registers: [registry],
});

export const dbErrors = new Counter({
  name: "factline_db_errors_total",
  help: "Failed database operations by pool role and kind: connection (lost or refused), pool_exhausted (no connection of the role within 5 s), timeout (statement or read time limit), query (any other error PostgreSQL raised).",
  labelNames: ["role", "kind"] as const,
  registers: [registry],
});

export const replicaReads = new Counter({
  name: "factline_replica_reads_total",
  help: "Reads routed with FACTLINE_READ_URLS set, by kind (catchup, lookup, query) and where they were served: replica; primary_none (no replica usable); primary_error (the replica failed mid-read, the primary went on); primary_missing (a lookup the replica could not answer yet, e.g. a fact just published).",
  labelNames: ["kind", "served"] as const,
  registers: [registry],
});

export const schemaValidations = new Counter({
  name: "factline_schema_validations_total",
  help: "Published facts checked against a registered schema, by result (valid, invalid).",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const schemaRejections = new Counter({
  name: "factline_schema_rejected_publishes_total",
  help: "Publishes refused because facts did not validate (nothing of them was stored).",
  registers: [registry],
});

export const sandboxRuns = new Counter({
  name: "factline_sandbox_runs_total",
  help: "Sandbox jobs (transformations, filter scripts, compile checks), by kind and outcome.",
  labelNames: ["kind", "outcome"] as const,
  registers: [registry],
});

export const sandboxRunSeconds = new Histogram({
  name: "factline_sandbox_run_seconds",
  help: "Time one sandbox job took on its worker, by kind.",
  labelNames: ["kind"] as const,
  buckets: SANDBOX_SECONDS,
  registers: [registry],
});

/** Transformed payloads handed to the transformation cache's writer (store/transformations/cache.ts), by outcome. */
export const transformationCacheWrites = new Counter({
  name: "factline_transformation_cache_writes_total",
  help: "Transformed payloads for the transformation cache: written, skipped (the writer was too far behind), failed (PostgreSQL refused the write).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const sandboxItems = new Counter({
  name: "factline_sandbox_facts_total",
  help: "Facts that sandbox jobs ran on, by kind.",
  labelNames: ["kind"] as const,
  registers: [registry],
});

/** Facts a publish stored (called once per successful publish, with its batch). */
export function countPublished(facts: ReadonlyArray<{ payload: string | Uint8Array }>): void {
  let bytes = 0;
  for (const f of facts) bytes += Buffer.byteLength(f.payload);
  factsPublished.inc(facts.length);
  publishedPayloadBytes.inc(bytes);
}
