import Cursor from "pg-cursor";
import type { StoredFact } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import type { Db, DbClient } from "./db";
import { specsPredicate } from "./spec-sql";

// Rows per cursor read adapt to the observed fact size so one read stays near this many bytes:
// large enough to amortise round trips, small enough that a catch-up holds a few MB at a time.
const TARGET_READ_BYTES = 2 * 1024 * 1024;
const MIN_READ_ROWS = 10;
const MAX_READ_ROWS = 2_000;
// A catch-up whose client stops reading closes its cursor after this long (FACTLINE_CATCHUP_IDLE_MS),
// so a stalled consumer does not pin a connection and an old snapshot (which holds back VACUUM);
// its next read reopens the cursor after the last serial it delivered.
export const DEFAULT_CURSOR_IDLE_MS = 15_000;

/**
 * Streams the facts matching `specs` with serial in (after, upTo] in serial order, in bounded reads.
 * While the consumer sends one read's facts, the next read is already running (one read ahead, never
 * more): the database and the network work at the same time, and a slow client still holds at most
 * two reads (~4 MB) in memory — it is back-pressure, not a buffer.
 */
export class FactReader {
  private client?: DbClient;
  private cursor?: Cursor<StoredFact>;
  private rowsPerRead = 100;
  private done = false;
  private inflight?: Promise<unknown>;
  private readAhead?: Promise<{ rows: StoredFact[]; asked: number }>;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly specs: FactSpec[],
    private position: bigint,
    private readonly upTo?: bigint,
    private readonly idleMs = DEFAULT_CURSOR_IDLE_MS,
  ) {}

  /** The next facts in serial order; an empty array means the range is exhausted. */
  async next(): Promise<StoredFact[]> {
    clearTimeout(this.idleTimer);
    if (this.done) return [];
    if (!this.cursor) {
      await this.open();
      this.readAhead = this.read(this.rowsPerRead);
    }
    const { rows, asked } = await this.readAhead!;
    this.readAhead = undefined;
    if (rows.length < asked) {
      this.done = true;
      await this.close();
      if (rows.length > 0) this.position = rows[rows.length - 1].ser;
      return rows;
    }
    this.position = rows[rows.length - 1].ser;
    const bytes = rows.reduce((n, r) => n + r.header.length + r.payload.length, 0);
    const perRow = Math.max(1, bytes / rows.length);
    this.rowsPerRead = Math.min(MAX_READ_ROWS, Math.max(MIN_READ_ROWS, Math.floor(TARGET_READ_BYTES / perRow)));
    this.readAhead = this.read(this.rowsPerRead);
    // The read ahead does not count as progress: a consumer that stops asking still loses its cursor.
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
    return rows;
  }

  private read(asked: number): Promise<{ rows: StoredFact[]; asked: number }> {
    const read = this.cursor!.read(asked).then((rows) => ({ rows, asked }));
    this.inflight = read;
    // A failed read ahead surfaces on the next call to next(), or is dropped by close().
    read.catch(() => {});
    return read;
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    // A read still in flight (the consumer went away mid-read) must finish before the cursor closes,
    // or the connection goes back to the pool mid-protocol.
    await this.inflight?.catch(() => {});
    const { cursor, client } = this;
    // Facts read ahead but not delivered are dropped; a reopened cursor starts after `position`.
    this.readAhead = undefined;
    this.inflight = undefined;
    this.cursor = undefined;
    this.client = undefined;
    if (cursor) await cursor.close().catch(() => {});
    client?.release();
  }

  private async open(): Promise<void> {
    const params: unknown[] = [this.position.toString()];
    let sql = `SELECT ser, header::text AS header, payload::text AS payload FROM fact WHERE ser > $1`;
    if (this.upTo !== undefined) {
      params.push(this.upTo.toString());
      sql += ` AND ser <= $2`;
    }
    sql += ` AND (${specsPredicate(this.specs, params)}) ORDER BY ser`;
    this.client = await this.db.connect();
    this.cursor = this.client.query(new Cursor<StoredFact>(sql, params));
  }
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
