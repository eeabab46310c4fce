import pg from "pg";
import { log } from "../../log";
import { sessionConfig, type Db } from "../db";
import { isConnectionLoss } from "../db-errors";

/**
 * What a replica is good for right now:
 * - healthy: reachable, a hot standby of the store's database, within MAX_LAG_MS of the primary;
 * - lagging: reachable but further behind than that (reads go to the primary until it catches up);
 * - unreachable: its connections fail or its position could not be read;
 * - refused: it answers but is not a hot standby of the store's database (wrong URL, a promoted
 *   standby): never used until it is one.
 */
export type ReplicaState = "healthy" | "lagging" | "unreachable" | "refused";
export const REPLICA_STATES: ReplicaState[] = ["healthy", "lagging", "unreachable", "refused"];

/**
 * A replica is used while it shows, within this long, every fact the primary had: catch-ups only
 * read from it up to what it has anyway (the primary reads the rest), but lookups and console queries
 * answered there are at most this stale, and a replica further behind than this takes work from the
 * primary no longer. Streaming replication on a healthy network replays within milliseconds.
 */
export const MAX_LAG_MS = 5_000;
// Lookups are index-served and take milliseconds (as on the primary, store/storage/db.ts); catch-up
// cursors have no session timeout there either (store/storage/read.ts bounds each read).
const LOOKUP_STATEMENT_TIMEOUT_MS = 10_000;
// Connections of a replica not used for this long are closed (as the primary's pools do).
const IDLE_CONNECTION_MS = 30_000;

/**
 * The replica's position and whether it may serve this store: the highest serial visible there
 * (commit order is serial order on the primary, migrations/001_facts.sql, so every fact up to it is
 * there too; a backward scan of the primary key, microseconds), whether it is in recovery, and which
 * cluster and database it is a copy of.
 */
const POSITION = `SELECT (SELECT max(ser) FROM fact) AS ser, pg_is_in_recovery() AS standby, current_database() AS database`;

/** The cluster's identity; every physical standby shares it with its primary. */
const SYSTEM_IDENTIFIER = `SELECT system_identifier::text AS id FROM pg_control_system()`;

export interface ReplicaIdentity {
  database: string;
  /** undefined where the store's role may not read it (then only the database name is compared). */
  systemIdentifier?: string;
}

/** One hot-standby replica of FACTLINE_READ_URLS: its pools, its position and its state. */
export class Replica {
  /** Catch-up cursors. */
  readonly reads: Db;
  /** Fact lookups, the catalog, console queries' small reads, the position poll. */
  readonly lookups: Db;
  private current: ReplicaState = "unreachable";
  /** Whether the state has ever been decided (the first decision is logged even when unreachable). */
  private decided = false;
  private visible = 0n;
  private lag = 0;
  /** The primary's serial the replica must reach, and when the primary had it (lag measurement). */
  private target?: { ser: bigint; atMs: number };
  private why?: string;

  constructor(
    private readonly url: string,
    /** How the replica is named in logs and metrics: host, port and database, never credentials. */
    readonly name: string,
    poolSize: number,
  ) {
    // A fifth for lookups (at least one), as on the primary (store/storage/db.ts planPools).
    const lookups = Math.max(1, Math.floor(poolSize / 5));
    this.reads = this.pool("replica reads", poolSize - lookups, 0);
    this.lookups = this.pool("replica lookups", lookups, LOOKUP_STATEMENT_TIMEOUT_MS);
  }

  get state(): ReplicaState {
    return this.current;
  }

  /** The highest serial visible on the replica at its last poll: every fact up to it is there. */
  get serial(): bigint {
    return this.visible;
  }

  /** How far behind the primary it was at its last poll, in milliseconds (an upper bound). */
  get lagMs(): number {
    return this.lag;
  }

  /** Why it is not healthy, when it is not. */
  get reason(): string | undefined {
    return this.why;
  }

  usable(): boolean {
    return this.current === "healthy";
  }

  /**
   * Reads the replica's position and decides its state. `primary` is the primary's latest serial,
   * read just before; `identity` the primary's, which the replica must share.
   */
  async poll(primary: bigint, identity: ReplicaIdentity, timeoutMs: number): Promise<void> {
    const now = Date.now();
    let row: { ser: bigint | null; standby: boolean; database: string };
    let system: string | undefined;
    try {
      [row, system] = await withTimeout(this.position(identity), timeoutMs, "reading the replica's position");
    } catch (err) {
      // A statement PostgreSQL refused (no fact table, no permission) is the URL's fault, not the network's.
      const answered = (err as { code?: unknown }).code !== undefined && !isConnectionLoss(err);
      this.become(answered ? "refused" : "unreachable", (err as Error).message);
      return;
    }
    if (!row.standby) {
      this.become("refused", "it is not in recovery: not a hot standby (a promoted standby, or the primary itself)");
      return;
    }
    if (row.database !== identity.database || (identity.systemIdentifier && system !== identity.systemIdentifier)) {
      this.become(
        "refused",
        `it is a copy of another database (${row.database}, system ${system ?? "?"}) than the store's (${identity.database}, system ${identity.systemIdentifier ?? "?"})`,
      );
      return;
    }
    this.visible = row.ser ?? 0n;
    // Lag: the time since the primary had a serial the replica has not shown yet. A new target is
    // taken once the last is reached, so a replica always just behind a busy primary stays healthy.
    if (this.target && this.visible >= this.target.ser) this.target = undefined;
    this.lag = this.target ? now - this.target.atMs : 0;
    if (!this.target && primary > this.visible) this.target = { ser: primary, atMs: now };
    if (this.lag > MAX_LAG_MS) {
      this.become("lagging", `it shows serial ${this.visible}, ${Math.round(this.lag / 1000)} s behind the primary`);
    } else {
      this.become("healthy");
    }
  }

  /** A read on the replica failed: a lost connection makes it unreachable until the next good poll. */
  failed(err: unknown, during: string): void {
    if (isConnectionLoss(err)) this.become("unreachable", `${during}: ${(err as Error).message}`);
  }

  async end(): Promise<void> {
    await Promise.all([this.reads.end(), this.lookups.end()]);
  }

  private async position(
    identity: ReplicaIdentity,
  ): Promise<[{ ser: bigint | null; standby: boolean; database: string }, string | undefined]> {
    const { rows } = await this.lookups.query<{ ser: bigint | null; standby: boolean; database: string }>(POSITION);
    // Compared only where the primary's could be read; the replica's role is usually the same.
    const system = identity.systemIdentifier
      ? (await this.lookups.query<{ id: string }>(SYSTEM_IDENTIFIER).catch(() => ({ rows: [] as { id: string }[] })))
          .rows[0]?.id
      : undefined;
    return [rows[0], system];
  }

  private become(state: ReplicaState, why?: string): void {
    this.why = why;
    if (state === "unreachable" || state === "refused") this.target = undefined;
    if (state === this.current && this.decided) return;
    const first = !this.decided;
    this.decided = true;
    const before = this.current;
    this.current = state;
    const fields = { replica: this.name, serial: this.visible.toString(), ...(why ? { reason: why } : {}) };
    if (state === "healthy") {
      log.info(first ? "read replica in use" : `read replica in use again (was ${before})`, fields);
    } else if (state === "refused") {
      log.error("read replica refused: reads go to the primary; fix FACTLINE_READ_URLS", fields);
    } else {
      log.warn(`read replica ${state}: its reads go to the primary until it is back`, fields);
    }
  }

  private pool(application: string, size: number, statementTimeoutMs: number): Db {
    const pool = new pg.Pool({
      ...sessionConfig(this.url, `factline-store ${application}`, statementTimeoutMs),
      max: size,
      idleTimeoutMillis: IDLE_CONNECTION_MS,
    });
    // An 'error' without a listener would end the process; a lost connection makes the replica
    // unreachable until its next good poll, so reads go to the primary at once.
    pool.on("connect", (client) => client.on("error", (err) => this.failed(err, `a ${application} connection`)));
    pool.on("error", (err) => this.failed(err, `an idle ${application} connection`));
    return pool;
  }
}

/** How a replica URL is named in logs and metrics: host:port/database, without user or password. */
export function replicaName(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get("host") || "localhost";
  return `${host}:${parsed.port || "5432"}/${decodeURIComponent(parsed.pathname.slice(1))}`;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    // A late answer is dropped; its failure must not become an unhandled rejection.
    work.catch(() => {});
  }
}
