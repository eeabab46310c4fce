/**
 * Figures and how they are taken: every figure is a set of samples (one per repetition or window),
 * summarised as median and spread, with the CPU each side spent while it was measured — the
 * harness (the client), the store process and PostgreSQL — so a reader can tell a store limit from
 * a client limit.
 */
import { processCpuMs, processTreeCpuMs } from "./env/proc-cpu";
import { summarize, type Summary } from "./stats";

export interface CpuShare {
  /** CPU cores busy on average while measuring (cpu ms / wall ms): 1.0 = one core saturated. */
  client: number;
  store?: number;
  postgres?: number;
  /** Client CPU ms per operation (call, fact or read), when the figure counts operations. */
  clientMsPerOp?: number;
  /**
   * Store CPU µs per fact it took in or handed out (appended, caught up, or delivered to a live
   * follower: one fact to 100 followers counts 100), when the figure counts facts.
   */
  storeUsPerFact?: number;
}

export interface Figure {
  /** Stable key, e.g. "append.batch500.factline"; comparisons and targets refer to it. */
  id: string;
  scenario: string;
  name: string;
  system: string;
  unit: string;
  higherIsBetter: boolean;
  samples: number[];
  summary: Summary;
  /** The measurements a single-sample figure was derived from (e.g. the heap samples behind a max). */
  series?: number[];
  /** Which client produced the figure, e.g. "lean HTTP/2 gRPC, 1 connection". */
  client: string;
  cpu?: CpuShare;
  /** Filled in by the report: this figure relative to its baselines (>1 = factline better). */
  comparisons?: Array<{ vs: string; label: string; ratio: number }>;
  /** The targets for this figure, met or missed in this run. */
  targets?: Array<{ text: string; met: boolean }>;
  note?: string;
}

export interface Unavailable {
  scenario: string;
  name: string;
  reason: string;
}

/** Collects the figures of a run; scenarios add to it as they go. */
export class Results {
  readonly figures: Figure[] = [];
  readonly unavailable: Unavailable[] = [];

  add(figure: Omit<Figure, "summary">): Figure {
    const full = { ...figure, summary: summarize(figure.samples) };
    this.figures.push(full);
    return full;
  }

  skip(scenario: string, name: string, reason: string): void {
    this.unavailable.push({ scenario, name, reason });
  }

  get(id: string): Figure | undefined {
    return this.figures.find((f) => f.id === id);
  }
}

/** Whose CPU to watch: the store process and the postmaster (with its backends), when known. */
export interface CpuSubjects {
  storePid?: number;
  postmasterPid?: number;
}

/** CPU and wall time of one measured window. */
export class CpuMeter {
  private wallMs = 0;
  private clientMs = 0;
  private storeMs = 0;
  private postgresMs = 0;
  private ops = 0;
  private facts = 0;
  private storeSeen = true;
  private postgresSeen = true;

  constructor(private readonly subjects: CpuSubjects) {}

  /** Measures `work`, which returns how many operations it performed (and facts it moved, if it counts them). */
  async measure<T extends { ops: number; facts?: number }>(work: () => Promise<T>): Promise<T & { wallMs: number }> {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s0 = processCpuMs(this.subjects.storePid);
    const p0 = processTreeCpuMs(this.subjects.postmasterPid);
    const result = await work();
    const c1 = process.cpuUsage(c0);
    const s1 = processCpuMs(this.subjects.storePid);
    const p1 = processTreeCpuMs(this.subjects.postmasterPid);
    const wallMs = performance.now() - t0;
    this.wallMs += wallMs;
    this.clientMs += (c1.user + c1.system) / 1000;
    if (s0 !== undefined && s1 !== undefined) this.storeMs += s1 - s0;
    else this.storeSeen = false;
    if (p0 !== undefined && p1 !== undefined) this.postgresMs += Math.max(0, p1 - p0);
    else this.postgresSeen = false;
    this.ops += result.ops;
    this.facts += result.facts ?? 0;
    return { ...result, wallMs };
  }

  share(): CpuShare {
    const round = (x: number) => Math.round(x * 100) / 100;
    const w = Math.max(1, this.wallMs);
    return {
      client: round(this.clientMs / w),
      store: this.subjects.storePid !== undefined && this.storeSeen ? round(this.storeMs / w) : undefined,
      postgres: this.subjects.postmasterPid !== undefined && this.postgresSeen ? round(this.postgresMs / w) : undefined,
      clientMsPerOp: this.ops > 0 ? Math.round((this.clientMs / this.ops) * 1000) / 1000 : undefined,
      storeUsPerFact:
        this.subjects.storePid !== undefined && this.storeSeen && this.facts > 0
          ? Math.round((this.storeMs * 10_000) / this.facts) / 10
          : undefined,
    };
  }
}

export interface Variant {
  key: string;
  /** CPU subjects for this variant (a raw PostgreSQL variant has no store process to watch). */
  subjects: CpuSubjects;
  /** One repetition; returns its sample (e.g. facts/s), the operations it performed and the facts it moved. */
  run(): Promise<{ value: number; ops: number; facts?: number }>;
}

/**
 * Runs every variant `reps` times, interleaved (A B C A B C …) so that drifting machine load hits
 * every system alike instead of whichever happened to run last.
 */
export async function interleaved(
  variants: Variant[],
  reps: number,
): Promise<Map<string, { samples: number[]; cpu: CpuShare }>> {
  const meters = new Map(variants.map((v) => [v.key, new CpuMeter(v.subjects)]));
  const samples = new Map(variants.map((v) => [v.key, [] as number[]]));
  for (let rep = 0; rep < reps; rep++) {
    for (const variant of variants) {
      const { value } = await meters.get(variant.key)!.measure(() => variant.run());
      samples.get(variant.key)!.push(value);
    }
  }
  return new Map(variants.map((v) => [v.key, { samples: samples.get(v.key)!, cpu: meters.get(v.key)!.share() }]));
}

/**
 * Runs `step` back to back (by `lanes` concurrent loops) until `seconds` pass; each step returns how
 * many facts it wrote. Returns facts/s, and the facts (which are also the operations counted).
 */
export async function forDuration(
  seconds: number,
  lanes: number,
  step: (lane: number) => Promise<number>,
): Promise<{ value: number; ops: number; facts: number }> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let ops = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < end) {
        // Not `ops += await step()`: that reads `ops` before the await, so concurrent lanes would
        // overwrite each other's counts (8 lanes once reported an eighth of what they did).
        const done = await step(lane);
        ops += done;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { value: ops / elapsed, ops, facts: ops };
}
