import { QueryTimeLimitError } from "../../errors";
import { replicaReads } from "../../metrics/registry";
import { isQueryCancelled } from "../db-errors";
import type { Db, StoreDatabase } from "../db";

/** What a routed read is, for factline_replica_reads_total. */
export type ReplicaReadKind = "catchup" | "lookup" | "query";

/**
 * Runs `work` on a usable replica's pool (`role`), else on the primary's. When the replica fails
 * (a lost connection, a statement cancelled by recovery) or its answer does not count (`options.found`
 * says no: a fact just published and not yet replayed there), the primary answers instead. Without
 * replicas this is `work(db[role])`.
 */
export async function onReplica<T>(
  db: StoreDatabase,
  role: "reads" | "lookups",
  kind: ReplicaReadKind,
  work: (pool: Db) => Promise<T>,
  options: { found?: (result: T) => boolean; signal?: AbortSignal } = {},
): Promise<T> {
  const found = options.found ?? (() => true);
  const replicas = db.replicas;
  if (!replicas || replicas.size === 0) return work(db[role]);
  const replica = replicas.any();
  if (!replica) {
    replicaReads.labels(kind, "primary_none").inc();
    return work(db[role]);
  }
  let result: T;
  try {
    result = await work(replica[role]);
  } catch (err) {
    // A caller that left is gone from the primary too; a statement that ran out of its own time on
    // the replica would take as long on the primary.
    if (options.signal?.aborted || err instanceof QueryTimeLimitError) throw err;
    if (isQueryCancelled(err) && !isRecoveryConflict(err)) throw err;
    replica.failed(err, `a ${kind} on the replica`);
    replicaReads.labels(kind, "primary_error").inc();
    return work(db[role]);
  }
  if (!found(result)) {
    replicaReads.labels(kind, "primary_missing").inc();
    return work(db[role]);
  }
  replicaReads.labels(kind, "replica").inc();
  return result;
}

/** A hot standby cancelled the statement because replay needed what it held (SQLSTATE 40001 there). */
export function isRecoveryConflict(err: unknown): boolean {
  return err instanceof Error && /conflict with recovery/i.test(err.message);
}
