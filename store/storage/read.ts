import type { StoredFact } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import { QueryTimeLimitError } from "../errors";
import { acquire, cancelAndDiscard, type Db, type DbClient } from "./db";
import { isConnectionLoss } from "./db-errors";
import type { DatabaseHealth } from "./health";
import { FactRows } from "./fact-rows";
import { RowsCursor } from "./rows-cursor";
import { specsPredicate } from "./spec-sql";
import { TOUCH_INTERVAL_S } from "./transformation-cache/lookup";

// Rows per cursor read adapt to the observed fact size so one read stays near this many bytes:
// large enough to amortise round trips, small enough that a catch-up holds a few MB at a time.
const TARGET_READ_BYTES = 2 * 1024 * 1024;
const MIN_READ_ROWS = 10;
const MAX_READ_ROWS = 2_000;
// A catch-up whose client stops reading closes its cursor after this long (FACTLINE_CATCHUP_IDLE_MS),
// so a stalled consumer does not pin a connection and an old snapshot (which holds back VACUUM);
// its next read reopens the cursor after the last serial it delivered.
export const DEFAULT_CURSOR_IDLE_MS = 15_000;
// One read (a FETCH of up to MAX_READ_ROWS) normally takes milliseconds. A FactSpec no index serves
// makes PostgreSQL walk the log for matches; past this the read is cancelled rather than left to
// occupy a connection and a core (FACTLINE_CATCHUP_READ_TIMEOUT_MS; a log of 10M facts is walked
// in well under a minute).
export const DEFAULT_CATCHUP_READ_TIMEOUT_MS = 60_000;

/** How a reader behaves when its caller goes away, its connection breaks, or a read takes too long. */
export interface ReaderOptions {
  /** How long a consumer may leave the reader unread before the cursor gives its connection back. */
  idleMs?: number;
  /** Aborted when the consumer has gone: a read in flight is cancelled in the database at once. */
  signal?: AbortSignal;
  /**
   * With it, a lost connection is not an error: the reader waits for PostgreSQL to answer again (up
   * to health.outageMs) and reopens its cursor after the last fact it returned.
   */
  health?: DatabaseHealth;
  /** One read may take this long before it is cancelled with QueryTimeLimitError; 0: no limit. */
  readTimeoutMs?: number;
  /** With it, rows come joined to the transformation cache (see CacheJoin). */
  cacheJoin?: CacheJoin;
  /**
   * Reads kept ready beyond the one handed out (READS_AHEAD by default): a consumer that takes the
   * next chunk ahead itself (store/subscriptions/subscription.ts) asks for one fewer.
   */
  readsAhead?: number;
}

/**
 * A catch-up read that serves cached transformed payloads itself (store/transformations/warm.ts):
 * one query reads each matching fact and, where the transformation cache holds the fact in the
 * version asked for, that payload in place of the stored one and the header with `version` set to
 * it — so a cached fact costs no second query and is never decoded in the store. Each row carries a
 * mark (see CACHE_JOINED_FACTS).
 */
export interface CacheJoin {
  /**
   * What the consumer asks for, as JSON `{ns: {type: {version: [target, chain] | 0}}}` — a type
   * listed is wanted in another version; a version with a chain is turned into `target` by it, one
   * with 0 goes out as stored, any other must be transformed; the chains named there (the cache
   * entries the read may serve); and a token naming this plan.
   */
  plan(): { wanted: string; chains: string[]; token: number };
  /** Whether rows read with the plan of `token` may still go out (the chains are unchanged). */
  holds(token: number): boolean;
}

/**
 * The marks of a cache-joined read: none (the fact goes out as stored), "h" (header and payload are
 * the cached version), "s <chain>" (the same, and the entry's use stamp is old: refresh it), "m"
 * (the fact must be transformed: decode and hand it to the transformer).
 */
export const MARK_HIT = 0x68; // 'h'
export const MARK_STALE_HIT = 0x73; // 's'
export const MARK_TRANSFORM = 0x6d; // 'm'

/**
 * Fact columns are named with f. (the spec predicates name them bare, which is unambiguous: the
 * cache's columns are renamed in the joined subquery). The cache is keyed by (serial, chain) (migrations/084), so it
 * joins by serial over the same range as the facts — in serial order beside them, no per-fact uuid
 * parsed out of the header — and an entry of a chain the plan names is the fact's only possible
 * one: a chain's id names the type and the version it starts from (store/transformations/registry.ts).
 * A hit sends the cached header and payload as they are; only a miss looks its type up in the plan
 * (the per-row jsonb work that remains, to tell a fact to transform from one that goes out as stored).
 */
function cacheJoinedSql(p: {
  wanted: number;
  chains: number;
  staleAfter: number;
  after: number;
  upTo?: number;
}): string {
  const w = `$${p.wanted}::jsonb -> (f.header->>'ns') -> (f.header->>'type')`;
  const upTo = p.upTo === undefined ? "" : ` AND ser <= $${p.upTo}`;
  return `SELECT f.ser,
       COALESCE(c.cached_header, f.header::text) AS header,
       COALESCE(c.cached_payload, f.payload::text) AS payload,
       CASE WHEN c.cached_ser IS NOT NULL THEN
              CASE WHEN c.stamped < now() - make_interval(secs => $${p.staleAfter}) THEN 's ' || c.cached_chain ELSE 'h' END
            WHEN ${w} IS NULL THEN NULL
            WHEN jsonb_typeof(${w} -> COALESCE(f.header->>'version', '0')) = 'number' THEN NULL
            ELSE 'm' END AS mark
  FROM fact f
  LEFT JOIN (SELECT ser AS cached_ser, chain AS cached_chain, header AS cached_header, payload AS cached_payload,
                    accessed_at AS stamped
               FROM transformation_cache
              WHERE chain = ANY($${p.chains}::text[]) AND ser > $${p.after}${upTo}) c ON c.cached_ser = f.ser`;
}

// Reads a catch-up keeps ready beyond the one its consumer is sending. With one, PostgreSQL answered
// the next read while the store wrote the current one and then sat idle until the consumer asked
// again (a trace of one catch-up, docs/performance.md "Catch-up pipeline"); with two, a read is
// still running or waiting whenever the consumer asks, for ~2 MB more per catch-up.
const READS_AHEAD = 2;
// A cursor's close waits for the server's answer; a connection that broke never gives one.
const CLOSE_TIMEOUT_MS = 2_000;
// After a lost connection, attempts to reopen the cursor are at least this far apart, so a server
// that accepts connections but drops them at once is not hammered.
const REOPEN_SPACING_MS = 200;

/**
 * Streams the facts matching `specs` with serial in (after, upTo] in serial order, in bounded reads.
 * While the consumer sends one read's facts, the next reads are already running, one after the other
 * (READS_AHEAD at most, one in flight at a time): the database and the network work at the same
 * time, and a slow client still holds at most READS_AHEAD + 1 reads (~6 MB) in memory — it is
 * back-pressure, not a buffer.
 */
export class FactReader {
  private client?: DbClient;
  private cursor?: RowsCursor;
  private rowsPerRead = 100;
  /** The cache join's plan the open cursor was made with. */
  private planToken = 0;
  private done = false;
  private reading = false;
  /** Why the current connection was given up (a time limit, the consumer leaving, a broken connection). */
  private stopped?: Error;
  /** Reads started and not yet handed out, in serial order; only the last may still be running. */
  private ahead: Array<Promise<{ rows: FactRows; asked: number }>> = [];
  /** The last read that returned was full: the cursor may have more. */
  private more = false;
  /** Fails the read in flight: a cursor does not always settle it when its connection dies (read()). */
  private abandonRead?: (err: Error) => void;
  private idleTimer?: NodeJS.Timeout;
  private readTimer?: NodeJS.Timeout;
  private readonly readsAhead: number;
  private readonly onAbort = () => this.stop((this.options.signal?.reason as Error) ?? new Error("cancelled"));
  // pg emits 'error' on a checked-out client whenever its connection ends unexpectedly (whether or
  // not the server said why first), so this is where a read in flight learns that it never will.
  private readonly onClientError = (err: Error) => {
    this.stopped ??= err;
    this.abandonRead?.(err);
  };

  constructor(
    private readonly db: Db,
    private readonly specs: FactSpec[],
    private position: bigint,
    private readonly upTo?: bigint,
    private readonly options: ReaderOptions = {},
  ) {
    options.signal?.addEventListener("abort", this.onAbort, { once: true });
    this.readsAhead = Math.max(1, options.readsAhead ?? READS_AHEAD);
  }

  /** The next facts in serial order, as text; an empty array means the range is exhausted. */
  async next(): Promise<StoredFact[]> {
    return (await this.nextRows()).toStoredFacts();
  }

  /**
   * The next facts in serial order as the bytes PostgreSQL sent (what a catch-up sends on without
   * reading them); empty means the range is exhausted.
   */
  async nextRows(): Promise<FactRows> {
    clearTimeout(this.idleTimer);
    const { health, signal } = this.options;
    for (let deadline: number | undefined; ;) {
      if (this.done) return new FactRows();
      try {
        return await this.nextRead();
      } catch (err) {
        const reason = this.stopped && !isConnectionLoss(this.stopped) ? this.stopped : err;
        await this.releaseConnection();
        if (!health || signal?.aborted || !isConnectionLoss(reason)) throw reason;
        // The connection broke: wait for the server, then reopen after the last fact returned.
        // (The connection's own error listener has told `health` when it broke.)
        deadline ??= Date.now() + health.outageMs;
        await health.waitUntilReachable(deadline, signal);
        await sleep(REOPEN_SPACING_MS, signal);
        if (Date.now() >= deadline) throw health.unavailable();
      }
    }
  }

  private async nextRead(): Promise<FactRows> {
    if (!this.cursor) {
      await this.open();
      this.readAhead();
    }
    const { rows, asked } = await this.ahead.shift()!;
    if (this.options.cacheJoin && !this.options.cacheJoin.holds(this.planToken)) {
      // A transformation or schema of a wanted type changed since the cursor was planned: these rows
      // may carry results of the old chain. Read them again, after the last fact returned, planned anew.
      await this.releaseConnection();
      return this.nextRead();
    }
    if (rows.length < asked) {
      this.done = true;
      await this.releaseConnection();
      if (rows.length > 0) this.position = rows.lastSer;
      return rows;
    }
    this.position = rows.lastSer;
    // The last read returned full while READS_AHEAD reads were waiting: the next one starts now.
    if (!this.reading && this.more && this.ahead.length < this.readsAhead) this.readAhead();
    // The reads ahead do not count as progress: a consumer that stops asking still loses its cursor.
    this.idleTimer = setTimeout(() => void this.releaseConnection(), this.options.idleMs ?? DEFAULT_CURSOR_IDLE_MS);
    this.idleTimer.unref();
    return rows;
  }

  /**
   * Starts the next read on the open cursor; when it returns full (more may follow), the one after it
   * starts too, until READS_AHEAD reads wait for the consumer. Only one read runs at a time.
   */
  private readAhead(): void {
    const { cursor } = this;
    const read = this.read(this.rowsPerRead);
    this.ahead.push(read);
    read.then(
      ({ rows, asked }) => {
        if (this.cursor !== cursor) return;
        this.more = rows.length === asked;
        if (rows.length === 0) return;
        const perRow = Math.max(1, rows.byteLength / rows.length);
        this.rowsPerRead = Math.min(MAX_READ_ROWS, Math.max(MIN_READ_ROWS, Math.floor(TARGET_READ_BYTES / perRow)));
        // A short read was the last; a cursor given up meanwhile (released, reopened) reads no more.
        if (this.more && this.ahead.length < this.readsAhead && this.ahead[this.ahead.length - 1] === read) {
          this.readAhead();
        }
      },
      () => {},
    );
  }

  private read(asked: number): Promise<{ rows: FactRows; asked: number }> {
    this.reading = true;
    const limit = this.options.readTimeoutMs ?? 0;
    if (limit > 0) {
      this.readTimer = setTimeout(() => this.stop(new QueryTimeLimitError("a catch-up read", limit)), limit);
    }
    // A cursor read must settle however its connection ends. pg-cursor, used here before, never
    // settled one whose connection broke between the server's CommandComplete and ReadyForQuery
    // (brianc/node-postgres#2468); RowsCursor answers at CommandComplete, but a read is also failed
    // from here when the client reports its connection lost or the reader gives it up, so no read
    // waits forever (the subscription sending keepalives and no facts): it fails like any other on a
    // lost connection and nextRows() reopens after the last fact returned.
    const cursorRead = this.cursor!.read(asked);
    let abandon!: (err: Error) => void;
    const read = new Promise<FactRows>((resolve, reject) => {
      abandon = reject;
      cursorRead.then(resolve, reject);
    })
      .then((rows) => ({ rows, asked }))
      .finally(() => {
        if (this.abandonRead !== abandon) return; // given up already (detach); a newer read may run
        this.abandonRead = undefined;
        this.reading = false;
        clearTimeout(this.readTimer);
      });
    this.abandonRead = abandon;
    // A failed read ahead surfaces on the next call to next(), or is dropped by close().
    read.catch(() => {});
    return read;
  }

  /** Gives up the current connection at once, cancelling a read in flight; next() then fails with `reason`. */
  private stop(reason: Error): void {
    this.stopped ??= reason;
    const { client } = this;
    if (!client || !this.reading) return;
    this.detach();
    cancelAndDiscard(client);
  }

  /** Ends the reader for good, giving its connection back (cancelling a read in flight). */
  async close(): Promise<void> {
    this.done = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    await this.releaseConnection();
  }

  private async releaseConnection(): Promise<void> {
    clearTimeout(this.idleTimer);
    const { cursor, client, reading } = this;
    // Facts read ahead but not delivered are dropped; a reopened cursor starts after `position`.
    this.ahead = [];
    if (!client) return;
    this.detach();
    if (reading || this.stopped) {
      // A read in flight is cancelled rather than awaited (it may scan for minutes); a broken
      // connection is discarded.
      if (reading) cancelAndDiscard(client);
      else client.release(this.stopped);
      return;
    }
    const closed = await Promise.race([
      cursor!.close().then(
        () => true,
        () => false,
      ),
      sleep(CLOSE_TIMEOUT_MS),
    ]);
    client.release(closed === true ? undefined : new Error("the cursor did not close"));
  }

  private detach(): void {
    this.client?.off("error", this.onClientError);
    // A read on a connection given up (cancelled, discarded, broken) is over even if its cursor never says so.
    const abandon = this.abandonRead;
    this.abandonRead = undefined;
    abandon?.(this.stopped ?? new Error("Connection terminated: the reader gave its connection up"));
    this.cursor = undefined;
    this.client = undefined;
    this.reading = false;
    clearTimeout(this.readTimer);
  }

  private async open(): Promise<void> {
    this.stopped = undefined;
    this.more = false;
    const params: unknown[] = [this.position.toString()];
    const upTo = this.upTo === undefined ? undefined : params.push(this.upTo.toString());
    // The columns as stored, not cast to text: a row reaches the store as bytes (RowsCursor), and
    // PostgreSQL's text output of jsonb and json is what `::text` makes, byte for byte; the casts
    // only added a conversion and a copy of both per row (~2.5 µs of PostgreSQL CPU per fact,
    // docs/performance.md "Catch-up: what PostgreSQL spends per fact").
    let sql = `SELECT ser, header, payload FROM fact f`;
    const join = this.options.cacheJoin;
    if (join) {
      const plan = join.plan();
      this.planToken = plan.token;
      const wanted = params.push(plan.wanted);
      const chains = params.push(plan.chains);
      const staleAfter = params.push(TOUCH_INTERVAL_S);
      sql = cacheJoinedSql({ wanted, chains, staleAfter, after: 1, upTo });
    }
    sql += ` WHERE f.ser > $1`;
    if (upTo !== undefined) sql += ` AND f.ser <= $${upTo}`;
    sql += ` AND (${specsPredicate(this.specs, params)}) ORDER BY f.ser`;
    const client = await acquire(this.db, this.options.signal);
    client.on("error", this.onClientError);
    this.client = client;
    this.cursor = client.query(new RowsCursor(sql, params));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve(undefined);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

// Serial order with a byte budget: the window sum uses stored sizes (no detoasting), and the row
// that crosses the budget is still included, so a single huge fact always makes progress.
const READ_NEW_FACTS = `
  SELECT ser, header::text AS header, payload::text AS payload
    FROM (SELECT ser, header, payload,
                 sum(pg_column_size(header) + pg_column_size(payload)) OVER (ORDER BY ser)
                   - pg_column_size(header) - pg_column_size(payload) AS before
            FROM fact WHERE ser > $1 ORDER BY ser LIMIT $2) page
   WHERE before < $3
   ORDER BY ser`;

/** All facts after `after` (any spec), bounded by rows and bytes: the live tail's read. */
export async function readNewFacts(db: Db, after: bigint, maxRows: number, maxBytes: number): Promise<StoredFact[]> {
  const { rows } = await db.query<StoredFact>(READ_NEW_FACTS, [after.toString(), maxRows, maxBytes]);
  return rows;
}
