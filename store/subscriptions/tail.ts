import type { FactHeader, StoredFact } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import { DatabaseUnavailableError } from "../errors";
import { log } from "../log";
import type { Db } from "../storage/db";
import { isConnectionLoss } from "../storage/db-errors";
import type { DatabaseHealth } from "../storage/health";
import type { NotificationListener } from "../storage/listener";
import { latestSerial } from "../storage/lookup";
import { readNewFacts } from "../storage/read";
import { Follower, LiveBatch } from "./follower";
import { matchesAny } from "./matcher";

/*
 * Why no follower ever skips or repeats a fact
 * --------------------------------------------
 * 1. Every insert into `fact` happens while its transaction holds the exclusive advisory lock 128
 *    (taken by the store before it allocates serials, and by a BEFORE INSERT statement trigger for
 *    anyone else), and serials are allocated under that lock. PostgreSQL makes a commit visible
 *    before it releases the transaction's locks, so when a fact with serial S is visible, every
 *    transaction that drew a smaller serial has already committed or rolled back: the visible log is
 *    always a gap-free prefix of the final log. Reading `ser > p ORDER BY ser` therefore never misses
 *    a fact that commits later with a smaller serial (FactCast #338 / #4012 cannot happen).
 * 2. The hub below reads that prefix once per instance, in serial order, and advances `position`
 *    only in the same synchronous step that hands the facts to every attached follower. A follower
 *    attached at hub position H receives exactly the facts > H; the subscription reads (its own
 *    position, H] from the database itself. JavaScript runs attach and delivery on one thread, so no
 *    fact can fall between the two.
 * 3. Each follower drops anything at or below the last serial it already passed on, so overlap
 *    between a catch-up read and the live feed is delivered once.
 * 4. A follower that falls too far behind is cut off rather than buffered without bound; its
 *    subscription goes back to reading the database from its last delivered serial (2 again).
 * 5. When the database cannot be read (a restart, a lost connection) the position stays where it
 *    was and the followers stay attached; once PostgreSQL answers again the hub reads on from that
 *    position, so the outage costs latency and nothing else. Past the outage bound the followers are
 *    ended with UNAVAILABLE instead of waiting in silence; their clients resubscribe after the last
 *    fact they got.
 */

// Rows and bytes per tail read: one page of new facts in memory at a time, shared by all followers.
const TAIL_PAGE_ROWS = 1_000;
const TAIL_PAGE_BYTES = 8 * 1024 * 1024;
// LISTEN/NOTIFY is the trigger; this poll catches a notification lost with a dropped connection.
const SAFETY_POLL_MS = 1_000;
// With nobody following, the hub only keeps its position near the newest serial (so a first
// follower does not make it read the whole backlog), at most this often instead of once per commit.
const IDLE_POSITION_MS = 200;
const RETRY_MS = 1_000;
// Pacing under fan-out: handing a tick to many followers costs a write and a few promise hops per
// follower whatever the tick holds, so reading again the moment they are done (one tick per commit
// at 1,000 single-fact commits/s) would spend the whole core on fan-out and starve the publishes
// (issue 17's first profile: 1,000 followers, publish calls waiting seconds). After a tick whose
// writes took F ms the next read waits until 2F after it began: fan-out takes at most about half
// the process, each tick carries more facts, and the cost grows with followers × ticks. Ticks
// cheaper than PACE_FROM_MS (up to a hundred or so followers) are not paced at all, and no wait is
// longer than MAX_PACE_MS (1,000 followers' writes take a few ms on two cores).
const PACE_FROM_MS = 1;
const MAX_PACE_MS = 50;
/** Notified once per transaction that inserted facts (migrations/001_facts.sql). */
export const FACT_CHANNEL = "factline_fact";

export interface LiveFact {
  fact: StoredFact;
  header: FactHeader;
}

/** The followers of one spec set, and the facts of the current page that match it. */
interface SpecGroup {
  specs: FactSpec[];
  followers: Set<Follower>;
  matched: LiveFact[];
}

/** Equal for equal spec sets (as parsed from a request, so key order is the parser's). */
function specKey(specs: FactSpec[]): string {
  return JSON.stringify(specs);
}

export class TailHub {
  /** Every fact with serial <= position has been handed to the followers attached at the time. */
  private position = 0n;
  /** Followers by their specs (specKey): a fact is matched once per spec set, not once per follower. */
  private readonly groups = new Map<string, SpecGroup>();
  private readonly groupOf = new Map<Follower, SpecGroup>();
  private readonly byNamespace = new Map<string, Set<SpecGroup>>();
  private readonly anyNamespace = new Set<SpecGroup>();
  private followerCount = 0;
  private pumping = false;
  private dirty = false;
  private stopped = false;
  private poll?: NodeJS.Timeout;
  private idleNudge?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  /** When the last tick that offered facts began, and how long it took until its followers' writes were done. */
  private tickStartedMs = 0;
  private tickMs = 0;
  /** When reading began to fail (undefined while reads succeed). */
  private failingSince?: number;

  constructor(
    private readonly db: Db,
    listener: NotificationListener,
    private readonly health: DatabaseHealth,
  ) {
    listener.on(FACT_CHANNEL, { onNotify: (payload) => this.notified(payload), onResync: () => this.nudge() });
    health.on("up", () => this.nudge());
  }

  /** Subscriptions currently following live facts on this instance. */
  liveFollowers(): number {
    return this.followerCount;
  }

  /** The newest serial this instance has read (every fact up to it went to the followers attached then). */
  headSerial(): bigint {
    return this.position;
  }

  /** Running, and its last read of new facts succeeded (for /health/ready). */
  isReading(): boolean {
    return !this.stopped && this.failingSince === undefined;
  }

  /** Call before the listener starts, so that its first resync finds the position set. */
  async start(): Promise<void> {
    this.position = await latestSerial(this.db);
    this.poll = setInterval(() => this.nudge(), SAFETY_POLL_MS);
    this.poll.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.idleNudge);
    clearTimeout(this.retry);
    for (const follower of this.allFollowers()) follower.close();
  }

  /**
   * Registers a live follower. Returns the hub position H it starts from: the follower will be
   * offered every matching fact > H; the caller must read (its position, H] itself.
   */
  attach(specs: FactSpec[], position: bigint): { follower: Follower; coveredFrom: bigint } {
    const coveredFrom = this.position;
    const follower = new Follower(specs, position > coveredFrom ? position : coveredFrom);
    const key = specKey(specs);
    let group = this.groups.get(key);
    if (!group) {
      group = { specs, followers: new Set(), matched: [] };
      this.groups.set(key, group);
      for (const ns of this.keysOf(specs)) this.setFor(ns).add(group);
    }
    group.followers.add(follower);
    this.groupOf.set(follower, group);
    this.followerCount++;
    return { follower, coveredFrom };
  }

  detach(follower: Follower): void {
    const group = this.groupOf.get(follower);
    if (group && this.groupOf.delete(follower) && group.followers.delete(follower)) {
      this.followerCount--;
      if (group.followers.size === 0) this.forget(group);
    }
    follower.close();
  }

  /** A spec set nobody follows any more leaves the index: subscribers inventing specs cannot grow it. */
  private forget(group: SpecGroup): void {
    this.groups.delete(specKey(group.specs));
    for (const key of this.keysOf(group.specs)) {
      const set = key === null ? this.anyNamespace : this.byNamespace.get(key);
      set?.delete(group);
      if (key !== null && set?.size === 0) this.byNamespace.delete(key);
    }
  }

  /** Namespaces some live follower of this instance is indexed under (besides "any namespace"). */
  indexedNamespaces(): number {
    return this.byNamespace.size;
  }

  /** A commit anywhere inserted facts up to serial `payload` (migration 004; older triggers send ''). */
  private notified(payload: string): void {
    const newest = /^\d+$/.test(payload) ? BigInt(payload) : undefined;
    // Already read (this instance's own commits are read at once): nothing to do.
    if (newest !== undefined && newest <= this.position && !this.pumping) return;
    this.nudge();
  }

  /** Something may have been committed: read new facts soon. Calls coalesce into one read loop. */
  nudge(): void {
    if (this.stopped) return;
    if (this.followerCount === 0) {
      this.idleNudge ??= setTimeout(() => {
        this.idleNudge = undefined;
        this.wake();
      }, IDLE_POSITION_MS);
      return;
    }
    this.wake();
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.dirty = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.dirty = false;
        if (this.followerCount === 0) {
          // Nobody to feed: only move the position (cheap), unless someone attached meanwhile.
          const latest = await latestSerial(this.db);
          if (this.followerCount === 0) this.position = latest > this.position ? latest : this.position;
          else this.dirty = true;
          continue;
        }
        for (;;) {
          await this.paced();
          const rows = await readNewFacts(this.db, this.position, TAIL_PAGE_ROWS, TAIL_PAGE_BYTES);
          if (rows.length === 0) break;
          this.deliver(rows);
        }
      } while (this.dirty && !this.stopped);
      this.failingSince = undefined;
    } catch (err) {
      if (!this.stopped) this.failed(err as Error);
    } finally {
      this.pumping = false;
    }
  }

  /** Waits before the next read while the last tick's fan-out was expensive (PACE_FROM_MS). */
  private async paced(): Promise<void> {
    // Followers write into their streams within the tick (store/subscriptions/follower.ts direct);
    // those with a delivery stage, as promise continuations of it: either way done before this resolves.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.tickMs < PACE_FROM_MS) return;
    const wait = Math.min(MAX_PACE_MS, this.tickStartedMs + 2 * this.tickMs - performance.now());
    if (wait >= 1) await new Promise<void>((resolve) => setTimeout(resolve, wait));
  }

  /** A read failed: try again soon; past the outage bound, end the followers rather than keep them waiting. */
  private failed(err: Error): void {
    const first = this.failingSince === undefined;
    this.failingSince ??= Date.now();
    if (isConnectionLoss(err)) this.health.lost(err, "reading new facts for live subscriptions");
    else if (first) log.warn("live tail read failed; retrying", { error: err.message });
    if (Date.now() - this.failingSince >= this.health.outageMs) {
      const seconds = Math.round((Date.now() - this.failingSince) / 1000);
      const error = this.health.reachable()
        ? new DatabaseUnavailableError(
            `the store could not read new facts for ${seconds} s (the cause is in its log); resubscribe`,
            {
              cause: err,
            },
          )
        : this.health.unavailable();
      for (const follower of this.allFollowers()) follower.fail(error);
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.nudge(), RETRY_MS);
    this.retry.unref();
  }

  /**
   * Hands a page of new facts to the followers and advances the position, in one synchronous step.
   * Each fact is matched once per spec set, and each spec set's matches become one batch offered to
   * all its followers: the cost of a page grows with facts × spec sets + followers, not with
   * facts × followers (1,000 followers of one namespace are one spec set).
   */
  private deliver(rows: StoredFact[]): void {
    const started = performance.now();
    const touched: SpecGroup[] = [];
    for (const fact of rows) {
      const header = JSON.parse(fact.header) as FactHeader;
      let payload: unknown;
      const lazyPayload = () => (payload ??= JSON.parse(fact.payload));
      let live: LiveFact | undefined;
      for (const group of this.candidates(header.ns)) {
        if (!matchesAny(group.specs, header, lazyPayload)) continue;
        live ??= { fact, header };
        if (group.matched.length === 0) touched.push(group);
        group.matched.push(live);
      }
    }
    for (const group of touched) {
      const batch = new LiveBatch(group.matched);
      group.matched = [];
      for (const follower of group.followers) follower.offer(batch);
    }
    this.position = rows[rows.length - 1].ser;
    this.tickMs = 0;
    if (touched.length > 0) {
      this.tickStartedMs = started;
      // Runs after the followers have written (those woken through promises too, which run before it).
      setImmediate(() => (this.tickMs = performance.now() - started));
    }
  }

  private *candidates(ns: string): Iterable<SpecGroup> {
    yield* this.anyNamespace;
    const set = this.byNamespace.get(ns);
    if (set) yield* set;
  }

  private *allFollowers(): Iterable<Follower> {
    for (const group of this.groups.values()) yield* group.followers;
  }

  // A follower with any "*" spec is indexed once under "any namespace"; others under each ns.
  private keysOf(specs: FactSpec[]): Array<string | null> {
    return specs.some((s) => s.ns === "*") ? [null] : [...new Set(specs.map((s) => s.ns))];
  }

  private setFor(key: string | null): Set<SpecGroup> {
    if (key === null) return this.anyNamespace;
    let set = this.byNamespace.get(key);
    if (!set) this.byNamespace.set(key, (set = new Set()));
    return set;
  }
}
