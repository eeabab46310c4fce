/**
 * The transformation cache (PostgreSQL, shared by every store instance of the database): a chunk's
 * transformed payloads are looked up in one query, results of fresh transformations are written
 * behind the stream without delaying it, and the cache is kept under its bound by deleting the
 * least recently used entries (FACTLINE_TRANSFORMATION_CACHE_MB, README "Configuration").
 * The cache only ever saves work: when PostgreSQL cannot serve it, facts are transformed afresh.
 */
import { log } from "../log";
import { transformationCacheWrites } from "../metrics/registry";
import type { Db } from "../storage/db";
import { cacheSize, evictCached } from "../storage/transformation-cache/evict";
import type { CacheKey } from "../storage/transformation-cache/keys";
import { findCached, touchCached } from "../storage/transformation-cache/lookup";
import { saveCached, type CacheEntry } from "../storage/transformation-cache/save";

// Payload bytes waiting to be written. Writing is behind the stream, but a catch-up faster than
// PostgreSQL takes its results must not pile them up in the store's memory: past half of this the
// delivery stage waits for the writes (paced()) before it transforms more, and results arriving
// while this much waits are not cached (transformed again next time). The other half is room for
// the chunks already being transformed when the wait begins — a stage delivers more than one chunk
// at a time (store/transformations/ahead.ts), and several catch-ups share the writer — so a catch-up
// that waits loses none of its results. A chunk's results are bounded by the reader's bytes per
// read (~2 MB, store/storage/read.ts), so memory stays within this plus those chunks.
export const MAX_PENDING_WRITE_BYTES = 32 * 1024 * 1024;
// A write statement running longer than this means the write path is stalled (PostgreSQL hung,
// the table locked, a disk that does not take writes): delivery stops waiting for it and results
// are skipped until a write completes again. Far above a statement's usual time (one statement
// writes ≤ WRITE_BATCH entries, well under a second), below the reader's idle bound (15 s,
// DEFAULT_CURSOR_IDLE_MS in store/storage/read.ts).
export const WRITE_STALL_MS = 10_000;
// Entries per INSERT: one statement per catch-up read's results, split when a read is larger.
const WRITE_BATCH = 2_000;
// When the cache has outgrown its bound, eviction brings it down to this share of it, so that it
// does not run again after every write.
const EVICT_TO = 0.9;
// The size is checked at most this often (one row read) and whenever this instance has written a
// twentieth of the bound since.
const SIZE_CHECK_MS = 30_000;

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Results not cached because writes were too far behind. */
  dropped: number;
  /** Times a delivery stage waited for the writes before transforming more (paced()). */
  paced: number;
}

export interface CacheLimits {
  /** MAX_PENDING_WRITE_BYTES unless a test asks for less. */
  pendingBytes?: number;
  /** WRITE_STALL_MS unless a test asks for less. */
  stallMs?: number;
}

export class TransformationCache {
  private readonly counters: CacheStats = { hits: 0, misses: 0, writes: 0, dropped: 0, paced: 0 };
  private pendingBytes = 0;
  private readonly maxPending: number;
  private readonly stallMs: number;
  /** When the write statement now running started; undefined while none runs. */
  private statementSince?: number;
  /** A wait found the writes stalled: nobody waits again until a statement completes. */
  private stalled = false;
  /** Called whenever a write statement settles (pending bytes fell, or the path moved again). */
  private readonly progress = new Set<() => void>();
  private writing: Promise<void> = Promise.resolve();
  private writtenSinceCheck = 0;
  private lastCheck = 0;
  private evicting = false;
  private warned = false;
  private warnedBehind = false;

  constructor(
    private readonly db: Db,
    /** FACTLINE_TRANSFORMATION_CACHE_MB in bytes; 0 turns the cache off. */
    readonly boundBytes: number,
    limits: CacheLimits = {},
  ) {
    this.maxPending = limits.pendingBytes ?? MAX_PENDING_WRITE_BYTES;
    this.stallMs = limits.stallMs ?? WRITE_STALL_MS;
  }

  get enabled(): boolean {
    return this.boundBytes > 0;
  }

  /** Cached payloads in the order of `keys`, undefined where none is; a failed lookup counts as all misses. */
  async find(keys: readonly CacheKey[]): Promise<Array<string | undefined>> {
    if (!this.enabled || keys.length === 0) return [];
    try {
      const { payloads, stale } = await findCached(this.db, keys);
      const hits = payloads.reduce((n, p) => (p === undefined ? n : n + 1), 0);
      this.counters.hits += hits;
      this.counters.misses += keys.length - hits;
      if (stale.length > 0) touchCached(this.db, stale).catch((err: Error) => this.failed("refresh", err));
      return payloads;
    } catch (err) {
      this.failed("lookup", err as Error);
      this.counters.misses += keys.length;
      return [];
    }
  }

  /**
   * Counts what a catch-up read joined to the cache (store/storage/read.ts) found — hits, and
   * misses it hands to the transformer — and refreshes the use stamps it found old, in one statement
   * behind the stream (never one write per fact).
   */
  served(hits: number, misses: number, stale: readonly CacheKey[]): void {
    this.counters.hits += hits;
    this.counters.misses += misses;
    if (stale.length > 0) touchCached(this.db, stale).catch((err: Error) => this.failed("refresh", err));
  }

  /**
   * Resolves when the writes have room for another chunk's results: at once while less than half of
   * MAX_PENDING_WRITE_BYTES waits, otherwise once the writes have fallen under that. A delivery stage calls
   * it before handing a chunk to the sandbox, so a cold catch-up is paced by the cache write instead
   * of outrunning it and leaving half its results unwritten (docs/performance.md, "Transformed
   * catch-up"). Never blocks for long and never fails: it returns (and the results are then skipped
   * by save()) when a write statement has run longer than WRITE_STALL_MS — PostgreSQL hung or the
   * table locked — and from then on without waiting until a statement completes; it returns when
   * `signal` aborts. A write that fails (PostgreSQL gone) ends at once and frees its bytes.
   */
  async paced(signal?: AbortSignal): Promise<void> {
    const room = this.maxPending / 2;
    if (!this.enabled || this.pendingBytes < room || this.stalled) return;
    this.counters.paced++;
    while (this.pendingBytes >= room && !this.stalled && !signal?.aborted) {
      const since = this.statementSince ?? Date.now();
      const left = since + this.stallMs - Date.now();
      if (left <= 0) {
        this.stalled = true;
        log.warn("transformation cache writes are stalled; fresh results are not cached until a write completes", {
          pendingBytes: this.pendingBytes,
          statementMs: Date.now() - since,
        });
        return;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.progress.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.progress.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  /**
   * Queues fresh results for writing; returns at once, and never fails: delivery does not wait for
   * the cache here (it waits in paced(), before transforming). Writes run one after another (one
   * statement per chain and chunk, store/storage/transformation-cache/save.ts); results arriving
   * while MAX_PENDING_WRITE_BYTES or more wait are skipped, counted and logged, and transformed
   * again next time.
   *
   * A transformation or schema changed while a write waits cannot leave a stale entry to be
   * served: the entries are keyed by the chain that produced them, and the chain's key hashes its
   * code and target schema, so after the change lookups ask for another key. Such a late write only
   * takes space until eviction (the change's own delete, migrations/060, ran before it).
   */
  save(entries: readonly CacheEntry[]): void {
    if (!this.enabled || entries.length === 0) return;
    const bytes = entries.reduce((sum, e) => sum + e.header.length + e.payload.length, 0);
    if (this.pendingBytes >= this.maxPending) {
      this.counters.dropped += entries.length;
      transformationCacheWrites.inc({ outcome: "skipped" }, entries.length);
      this.behind();
      return;
    }
    this.pendingBytes += bytes;
    this.writing = this.writing.then(async () => {
      let written = 0;
      try {
        for (let i = 0; i < entries.length; i += WRITE_BATCH) {
          const part = entries.slice(i, i + WRITE_BATCH);
          this.statementSince = Date.now();
          await saveCached(this.db, part);
          written += part.length;
          this.stalled = false;
          this.statementSince = undefined;
        }
        this.writtenSinceCheck += bytes;
      } catch (err) {
        transformationCacheWrites.inc({ outcome: "failed" }, entries.length - written);
        this.failed("write", err as Error);
      } finally {
        this.counters.writes += written;
        if (written > 0) transformationCacheWrites.inc({ outcome: "written" }, written);
        this.statementSince = undefined;
        this.pendingBytes -= bytes;
        for (const wake of [...this.progress]) wake();
      }
      this.maybeEvict();
    });
  }

  /** Resolves once every queued write has been tried (tests; a clean stop). */
  flushed(): Promise<void> {
    return this.writing;
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  /** The cache's size across all instances. */
  async size(): Promise<{ bytes: number; entries: number }> {
    return cacheSize(this.db);
  }

  private maybeEvict(): void {
    const due = Date.now() - this.lastCheck > SIZE_CHECK_MS || this.writtenSinceCheck > this.boundBytes / 20;
    if (!due || this.evicting) return;
    this.evicting = true;
    this.lastCheck = Date.now();
    this.writtenSinceCheck = 0;
    void (async () => {
      try {
        const { bytes } = await cacheSize(this.db);
        if (bytes <= this.boundBytes) return;
        const freed = await evictCached(this.db, Math.floor(this.boundBytes * EVICT_TO));
        if (freed) log.info("transformation cache evicted", { freedBytes: freed, boundBytes: this.boundBytes });
      } catch (err) {
        this.failed("eviction", err as Error);
      } finally {
        this.evicting = false;
      }
      // Writes that landed while this eviction ran skipped theirs: without another write they
      // would leave the cache past its bound until the next one.
      if (this.writtenSinceCheck > this.boundBytes / 20) this.maybeEvict();
    })();
  }

  /** Skipped writes are logged once a minute at most: a long catch-up would repeat it per chunk. */
  private behind(): void {
    if (this.warnedBehind) return;
    this.warnedBehind = true;
    log.warn("transformation cache writes are behind; fresh results are not cached meanwhile", {
      pendingBytes: this.pendingBytes,
      skippedTotal: this.counters.dropped,
    });
    setTimeout(() => (this.warnedBehind = false), 60_000).unref();
  }

  /** The first failure is logged; the rest would repeat it while PostgreSQL is away. */
  private failed(what: string, err: Error): void {
    if (this.warned) return;
    this.warned = true;
    log.warn(`transformation cache ${what} failed; facts are transformed without it meanwhile`, {
      error: err.message,
    });
    setTimeout(() => (this.warned = false), 60_000).unref();
  }
}

export type { CacheKey };
