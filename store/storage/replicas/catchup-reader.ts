import type { StoredFact } from "../../facts/fact";
import type { FactSpec } from "../../facts/spec";
import { QueryTimeLimitError } from "../../errors";
import { log } from "../../log";
import { replicaReads } from "../../metrics/registry";
import type { StoreDatabase } from "../db";
import type { FactRows } from "../fact-rows";
import { FactReader, type ReaderOptions } from "../read";
import type { Replica } from "./replica";
import { isRecoveryConflict } from "./route";
import { isQueryCancelled } from "../db-errors";

/**
 * A subscription's catch-up: facts after `position` in serial order, from a usable replica up to
 * the serial it had at its last poll (every fact up to it is there: commit order is serial order),
 * then from the primary after that serial to the end. The hand-over is at a serial, so no fact is
 * skipped or repeated. A replica that fails mid-read (stopped, disconnected, a statement cancelled
 * by its recovery) hands over at once, after the last fact returned. Without a usable replica, or
 * with one that has nothing after `position`, this is the primary's FactReader.
 */
export class CatchupReader {
  private reader: FactReader;
  private replica?: Replica;
  /** The serial the replica is read up to, where the primary takes over. */
  private handover = 0n;

  constructor(
    private readonly db: StoreDatabase,
    private readonly specs: FactSpec[],
    private position: bigint,
    private readonly options: ReaderOptions,
  ) {
    const replica = db.replicas?.pick(position);
    if (replica) {
      this.replica = replica;
      this.handover = replica.serial;
      // No health: a lost replica connection is not waited out (the primary's DatabaseHealth knows
      // nothing of it); it fails the read, and the primary goes on.
      this.reader = new FactReader(replica.reads, specs, position, replica.serial, { ...options, health: undefined });
    } else {
      if (db.replicas && db.replicas.size > 0) replicaReads.labels("catchup", "primary_none").inc();
      this.reader = new FactReader(db.reads, specs, position, undefined, options);
    }
  }

  /** Whether the facts now come from a replica (tests, logs). */
  get onReplica(): boolean {
    return this.replica !== undefined;
  }

  /** The next facts in serial order, as text; an empty array means the catch-up is complete. */
  async next(): Promise<StoredFact[]> {
    return (await this.nextRows()).toStoredFacts();
  }

  /** The next facts as the bytes PostgreSQL sent (store/storage/fact-rows.ts); empty at the end. */
  async nextRows(): Promise<FactRows> {
    for (;;) {
      let facts: FactRows;
      try {
        facts = await this.reader.nextRows();
      } catch (err) {
        if (!this.replica || !this.mayGoOn(err)) throw err;
        this.replica.failed(err, "a catch-up read");
        log.warn("a catch-up read on a replica failed; the primary goes on after the last fact sent", {
          replica: this.replica.name,
          after: this.position.toString(),
          error: (err as Error).message,
        });
        replicaReads.labels("catchup", "primary_error").inc();
        await this.toPrimary(this.position);
        continue;
      }
      if (facts.length > 0) {
        this.position = facts.lastSer;
        return facts;
      }
      if (!this.replica) return facts;
      // Everything up to the hand-over serial has been read there (matching or not).
      replicaReads.labels("catchup", "replica").inc();
      await this.toPrimary(this.handover > this.position ? this.handover : this.position);
    }
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  private mayGoOn(err: unknown): boolean {
    if (this.options.signal?.aborted) return false;
    // A read cancelled for taking too long (FACTLINE_CATCHUP_READ_TIMEOUT_MS) would take as long on
    // the primary; only the replica's own cancellations (recovery conflicts) hand over.
    if (isQueryCancelled(err) && !isRecoveryConflict(err)) return false;
    return !(err instanceof QueryTimeLimitError);
  }

  private async toPrimary(after: bigint): Promise<void> {
    await this.reader.close();
    this.replica = undefined;
    this.position = after;
    this.reader = new FactReader(this.db.reads, this.specs, after, undefined, this.options);
  }
}
