/**
 * Each subscription's recent lag, for its sparkline. The store reports only the lag of now; the
 * trend (catching up, falling behind, stuck) is what an operator looks for, so the browser keeps
 * the figures it has seen: one sample per heartbeat, across refreshes and across the list and a
 * subscription's own page, in sessionStorage so a reload of the tab keeps them too (and a new
 * tab, which may be someone else's session, starts empty).
 */

/** A sparkline's worth: a minute of beats at the default 2 s heartbeat. */
export const MAX_SAMPLES = 30;
/** As many as the store lists at most; the least recently seen go first beyond that. */
export const MAX_TRACKED = 1_000;
export const STORAGE_KEY = "factline.lag-history.v1";

interface Track {
  /** The store's updated_ms of the last sample: one sample per heartbeat, however often we poll. */
  at: number;
  lags: number[];
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem">;

export class LagHistory {
  private readonly tracks = new Map<string, Track>();

  private constructor(private readonly storage: Storage | undefined) {}

  /** What this tab kept so far; empty without storage (server, private mode) or when it is unreadable. */
  static load(storage: Storage | undefined): LagHistory {
    const history = new LagHistory(storage);
    try {
      const raw = storage?.getItem(STORAGE_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : undefined;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const [id, t] of Object.entries(parsed as Record<string, unknown>)) {
          const track = t as Partial<Track>;
          if (typeof track.at !== "number" || !Array.isArray(track.lags)) continue;
          const lags = track.lags.filter((n): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0);
          history.tracks.set(id, { at: track.at, lags: lags.slice(-MAX_SAMPLES) });
        }
      }
    } catch {
      // Someone else's or an older format: start over rather than fail the page.
    }
    return history;
  }

  /**
   * Notes a subscription's lag as of its instance's beat `at`. Idempotent: the same beat again
   * (a refresh faster than the heartbeat, a second render) adds nothing.
   */
  record(id: string, at: number, lagFacts: number): void {
    const track = this.tracks.get(id);
    if (track && at <= track.at) return;
    const lags = track ? [...track.lags, lagFacts].slice(-MAX_SAMPLES) : [lagFacts];
    // Re-inserted: Map order is then least recently seen first, which is what eviction needs.
    this.tracks.delete(id);
    this.tracks.set(id, { at, lags });
    while (this.tracks.size > MAX_TRACKED) this.tracks.delete(this.tracks.keys().next().value!);
  }

  /** The samples, oldest first. */
  samples(id: string): number[] {
    return this.tracks.get(id)?.lags ?? [];
  }

  save(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(this.tracks)));
    } catch {
      // Storage full or refused: the sparklines still work for as long as the page is open.
    }
  }
}

/** `samples` padded with empty bars on the left, so every sparkline has the same width and time scale. */
export function padSamples(samples: number[], length = MAX_SAMPLES): number[] {
  return [...Array<number>(Math.max(0, length - samples.length)).fill(0), ...samples.slice(-length)];
}
