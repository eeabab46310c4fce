import { log } from "../../log";
import type { Db } from "../db";
import { latestSerial } from "../lookup";
import { Replica, replicaName, type ReplicaIdentity } from "./replica";

// Each replica's position is read this often: a catch-up hands over to the primary at most this
// much short of what the replica has, and an unreachable replica is noticed (and a recovered one
// used again) within this long. One index-served query per replica and one on the primary per poll.
const POLL_MS = 500;
// A poll that takes longer than this counts as the replica not answering.
const POLL_TIMEOUT_MS = 3_000;

/**
 * The hot-standby replicas of FACTLINE_READ_URLS (README "Read replicas"), their positions and
 * states, polled in the background. Readers ask `pick()` for a replica to read from; with none
 * usable, they read from the primary.
 */
export class ReplicaSet {
  readonly replicas: Replica[];
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private identity?: ReplicaIdentity;
  private next = 0;
  private stopped = false;

  constructor(
    urls: string[],
    poolSize: number,
    /** The primary's lookups pool: its latest serial is what replicas are measured against. */
    private readonly primary: Db,
  ) {
    this.replicas = urls.map((url) => new Replica(url, replicaName(url), poolSize));
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Reads the primary's identity, polls every replica once (their first states are logged), and keeps polling. */
  async start(): Promise<void> {
    if (this.replicas.length === 0) return;
    const { rows } = await this.primary.query<{ database: string }>(`SELECT current_database() AS database`);
    const system = await this.primary
      .query<{ id: string }>(`SELECT system_identifier::text AS id FROM pg_control_system()`)
      .then(
        (r) => r.rows[0]?.id,
        (err: Error) => {
          log.debug("the primary's system identifier is not readable; replicas are matched by database name", {
            error: err.message,
          });
          return undefined;
        },
      );
    this.identity = { database: rows[0].database, systemIdentifier: system };
    await this.pollOnce();
    this.schedule();
  }

  /**
   * A usable replica that has facts after `after`, taking turns among them; undefined when none
   * has (the primary serves). Its `serial` is how far it may be read.
   */
  pick(after = 0n): Replica | undefined {
    const n = this.replicas.length;
    for (let i = 0; i < n; i++) {
      const replica = this.replicas[(this.next + i) % n];
      if (replica.usable() && replica.serial > after) {
        this.next = (this.next + i + 1) % n;
        return replica;
      }
    }
    return undefined;
  }

  /** Any usable replica, for reads that need not reach a serial (console pages, the catalog). */
  any(): Replica | undefined {
    return this.pick(-1n);
  }

  /** Polls every replica now (tests, and start()); resolves when all have been decided. */
  async pollOnce(): Promise<void> {
    if (!this.identity) return;
    let primary: bigint;
    try {
      primary = await latestSerial(this.primary);
    } catch {
      // The primary's own outage is handled elsewhere (store/storage/health.ts); replicas wait.
      return;
    }
    const identity = this.identity;
    await Promise.all(this.replicas.map((r) => r.poll(primary, identity, POLL_TIMEOUT_MS)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    await Promise.all(this.replicas.map((r) => r.end()));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.pollOnce().finally(() => this.schedule());
    }, POLL_MS);
    this.timer.unref();
  }
}
