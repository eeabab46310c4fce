/**
 * Facts per second, overall and per type, over a short sliding window of one-second buckets.
 * Pure; the stream hook records arrivals and the chart reads snapshots on the flush beat.
 */

/** Seconds the chart spans: long enough to see a trend, short enough to stay tiny (60 numbers). */
export const RATE_WINDOW_S = 60;
/** Per-type rates average this many seconds so a bursty type does not flicker between 0 and N. */
const TYPE_AVERAGE_S = 10;
/** The per-type list shows the busiest few; a store can have hundreds of types. */
const TYPES_SHOWN = 6;

export interface RateSnapshot {
  /** Facts per second for each of the last RATE_WINDOW_S whole seconds, oldest first. */
  perSecond: number[];
  /** Average over the last TYPE_AVERAGE_S seconds. */
  overall: number;
  perType: { type: string; rate: number }[];
}

interface Bucket {
  second: number;
  total: number;
  types: Map<string, number>;
}

export class RateCounter {
  private buckets: Bucket[] = [];

  record(types: string[], nowMs = Date.now()): void {
    if (types.length === 0) return;
    const second = Math.floor(nowMs / 1000);
    let b = this.buckets.at(-1);
    if (!b || b.second !== second) {
      b = { second, total: 0, types: new Map() };
      this.buckets.push(b);
      // Older buckets than the window are never read again.
      while (this.buckets.length > 0 && this.buckets[0].second <= second - RATE_WINDOW_S) this.buckets.shift();
    }
    b.total += types.length;
    for (const t of types) b.types.set(t || "(none)", (b.types.get(t || "(none)") ?? 0) + 1);
  }

  snapshot(nowMs = Date.now()): RateSnapshot {
    // The current second is still filling: report whole seconds only, ending with the last one.
    const last = Math.floor(nowMs / 1000) - 1;
    const bySecond = new Map(this.buckets.map((b) => [b.second, b]));
    const perSecond = Array.from(
      { length: RATE_WINDOW_S },
      (_, i) => bySecond.get(last - RATE_WINDOW_S + 1 + i)?.total ?? 0,
    );
    const recent = this.buckets.filter((b) => b.second > last - TYPE_AVERAGE_S && b.second <= last);
    const types = new Map<string, number>();
    for (const b of recent) for (const [t, n] of b.types) types.set(t, (types.get(t) ?? 0) + n);
    const perType = [...types]
      .map(([type, n]) => ({ type, rate: n / TYPE_AVERAGE_S }))
      .sort((a, b) => b.rate - a.rate)
      .slice(0, TYPES_SHOWN);
    const overall = recent.reduce((s, b) => s + b.total, 0) / TYPE_AVERAGE_S;
    return { perSecond, overall, perType };
  }

  clear(): void {
    this.buckets = [];
  }
}
