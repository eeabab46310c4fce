/** `npm run bench -- [--quick] [--scale N] [--only a,b] [--reps N] [--profile] [--build-console]` */

export type ScenarioName = "append" | "catchup" | "live" | "lookups" | "console" | "transform" | "replica";
export const ALL_SCENARIOS: ScenarioName[] = [
  "append",
  "catchup",
  "live",
  "lookups",
  "console",
  "transform",
  "replica",
];

export interface BenchOptions {
  quick: boolean;
  /** Facts in the seeded store that catch-up, lookups and the console read. */
  scale: number;
  scenarios: ScenarioName[];
  /** Repetitions of every throughput figure; the table shows their median and spread. */
  reps: number;
  /** Seconds each throughput repetition runs: long enough to cover group-commit warm-up and fsync noise. */
  appendSeconds: number;
  /** Seconds of publishing per live-latency configuration. */
  liveSeconds: number;
  liveFollowers: number[];
  liveRates: number[];
  /** Lookup calls per kind (split into `reps` windows for the spread). */
  lookupCalls: number;
  /** Seconds the console's live view is watched for its heap. */
  consoleLiveSeconds: number;
  /** Write a V8 CPU profile of every store process (node --cpu-prof) next to the results. */
  profile: boolean;
  /** Build the console (next build into its own directory) when no bench build exists. */
  buildConsole: boolean;
  /** Where results go (bench/results by default). */
  resultsDir?: string;
}

// The full run: 1M facts; quick keeps the whole suite under three minutes on two cores.
const FULL_SCALE = 1_000_000;
const QUICK_SCALE = 100_000;

export function parseOptions(argv: string[]): BenchOptions {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  const known = new Set([
    "--quick",
    "--scale",
    "--only",
    "--reps",
    "--profile",
    "--build-console",
    "--results-dir",
    "--live-followers",
    "--live-rates",
  ]);
  for (const arg of argv) {
    if (arg.startsWith("--") && !known.has(arg))
      throw new Error(`unknown option ${arg}; known: ${[...known].join(" ")}`);
  }
  const quick = has("--quick");
  const scale = positiveInt(value("--scale"), "--scale") ?? (quick ? QUICK_SCALE : FULL_SCALE);
  const only = value("--only");
  const scenarios = only ? only.split(",").map((s) => s.trim()) : ALL_SCENARIOS;
  for (const s of scenarios) {
    if (!ALL_SCENARIOS.includes(s as ScenarioName))
      throw new Error(`--only: unknown scenario ${s}; known: ${ALL_SCENARIOS.join(",")}`);
  }
  return {
    quick,
    scale,
    // Always in suite order: lookups write a few facts, which catch-up must not find in its counts.
    scenarios: ALL_SCENARIOS.filter((s) => scenarios.includes(s)),
    reps: positiveInt(value("--reps"), "--reps") ?? (quick ? 3 : 5),
    appendSeconds: quick ? 1 : 3,
    liveSeconds: quick ? 3 : 10,
    // Quick drops the 1,000-follower configurations: they alone would take the suite past three minutes.
    liveFollowers: positiveInts(value("--live-followers"), "--live-followers") ?? (quick ? [1, 100] : [1, 100, 1_000]),
    liveRates: positiveInts(value("--live-rates"), "--live-rates") ?? [100, 1_000],
    lookupCalls: quick ? 300 : 2_000,
    consoleLiveSeconds: quick ? 60 : 600,
    profile: has("--profile"),
    buildConsole: has("--build-console") || !quick,
    resultsDir: value("--results-dir"),
  };
}

/** A comma-separated list, e.g. `--live-followers 100,1000`: profile one configuration alone. */
function positiveInts(raw: string | undefined, flag: string): number[] | undefined {
  return raw?.split(",").map((part) => positiveInt(part.trim(), flag)!);
}

function positiveInt(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number, got ${raw}`);
  return n;
}
