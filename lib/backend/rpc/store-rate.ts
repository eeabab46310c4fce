// GetStoreRate: the store-wide publish rate, derived from FactCast's latestSerial so it works
// against any FactCast server (with or without factline's admin services).
//
// Why polled and not streamed: browsers allow ~6 HTTP/1.1 connections per site, and the console's
// only long-held ones are live views (one per /live tab, released when the tab is hidden for 30 s,
// lib/browser/live-stream.ts). A streaming rate would add one more for every open overview, to
// carry a number that changes once a second. A poll carries the same bytes and holds its
// connection for a few milliseconds, so overview and live tabs together leave room for every
// other request. One sampler per console process serves all tabs: N open overviews still cost the
// store one latestSerial call per SAMPLE_INTERVAL_MS.
import { create } from "@bufbuild/protobuf";
import { GetStoreRateResponseSchema, type GetStoreRateResponse } from "../../../gen/factline/console/v1/console_pb";
import { latestSerial } from "../upstream/factcast";
import type { Upstream } from "../upstream/upstream";

/** One latestSerial per second: the same resolution as the live view's chart, a trivial load on the store. */
export const SAMPLE_INTERVAL_MS = 1_000;
/** The series spans a minute (60 points), like the live view's chart. */
export const RATE_WINDOW_MS = 60_000;
/** The headline figure averages this long, so single bursty seconds do not make it flicker. */
export const AVERAGE_MS = 10_000;
/**
 * Sampling stops this long after the last GetStoreRate call: a console nobody looks at sends the
 * store nothing. Well above the browser's poll interval (lib/browser/store-rate.ts), so an open
 * overview keeps the series unbroken.
 */
export const IDLE_STOP_MS = 30_000;
/** Without a good sample for this long the figure is stale: the store is not answering. */
const STALE_AFTER_MS = 5 * SAMPLE_INTERVAL_MS;

interface Sample {
  atMs: number;
  serial: bigint;
}

export interface StoreRateSamplerOptions {
  /** How to read the newest serial; tests pass a counter. */
  read: () => Promise<bigint>;
  now?: () => number;
}

/**
 * Samples the newest serial on a fixed beat while anyone asks, and turns the samples into rates.
 * Serials allocated per second equal facts published per second (bar rolled-back publishes).
 */
export class StoreRateSampler {
  private samples: Sample[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastAskedMs = 0;
  private reading = false;
  private lastError: unknown;
  private firstRead: Promise<void> | undefined;
  private read: () => Promise<bigint>;
  private readonly now: () => number;

  constructor(options: StoreRateSamplerOptions) {
    this.read = options.read;
    this.now = options.now ?? Date.now;
  }

  /** The rate so far; starts sampling when idle (the first call waits for one sample). */
  async snapshot(): Promise<GetStoreRateResponse> {
    this.lastAskedMs = this.now();
    if (this.timer === undefined) {
      this.samples = [];
      this.lastError = undefined;
      this.timer = setInterval(() => void this.tick(), SAMPLE_INTERVAL_MS);
      // A sampler must never keep a process alive on its own.
      this.timer.unref?.();
      this.firstRead = this.tick();
    }
    await this.firstRead;
    const newest = this.samples.at(-1);
    if (this.lastError !== undefined && (!newest || this.now() - newest.atMs > STALE_AFTER_MS)) throw this.lastError;
    return create(GetStoreRateResponseSchema, {
      samples: this.samples
        .slice(1)
        .map((s, i) => ({ atMs: BigInt(s.atMs), factsPerSecond: rate(this.samples[i], s) })),
      factsPerSecond: this.average(),
      latestSerial: newest?.serial ?? 0n,
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
    });
  }

  /**
   * Samples from now on read this way: as the user who asked last. The newest serial is the same
   * for every authenticated caller (latestSerial needs no read permission), so sharing the samples
   * between users tells none of them anything they could not ask themselves.
   */
  readVia(read: () => Promise<bigint>): void {
    this.read = read;
  }

  /** Stops sampling now (tests; a console shutting down). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.now() - this.lastAskedMs > IDLE_STOP_MS) return this.stop();
    // A slow store must not pile up calls: skip a beat instead.
    if (this.reading) return;
    this.reading = true;
    try {
      const serial = await this.read();
      this.samples.push({ atMs: this.now(), serial });
      this.lastError = undefined;
      const oldest = this.now() - RATE_WINDOW_MS;
      // One sample older than the window stays: it is the start of the first interval.
      while (this.samples.length > 2 && this.samples[1].atMs <= oldest) this.samples.shift();
    } catch (err) {
      this.lastError = err;
    } finally {
      this.reading = false;
    }
  }

  private average(): number {
    const newest = this.samples.at(-1);
    if (!newest) return 0;
    const from = this.samples.find((s) => newest.atMs - s.atMs <= AVERAGE_MS);
    return from && from !== newest ? rate(from, newest) : 0;
  }
}

/** Facts per second between two samples; a store that went back (a fresh database) counts as 0. */
function rate(a: Sample, b: Sample): number {
  const seconds = (b.atMs - a.atMs) / 1000;
  return seconds > 0 && b.serial > a.serial ? Number(b.serial - a.serial) / seconds : 0;
}

/** The sampler for an upstream's store (one per store URL per console process), reading as its caller. */
export function samplerFor(upstream: Upstream, samplers: Map<string, StoreRateSampler>): StoreRateSampler {
  const read = () => latestSerial(upstream);
  let sampler = samplers.get(upstream.url);
  if (!sampler) samplers.set(upstream.url, (sampler = new StoreRateSampler({ read })));
  else sampler.readVia(read);
  return sampler;
}
