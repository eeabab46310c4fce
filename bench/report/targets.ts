/**
 * The targets (for two cores), checked against the figures of a run, and the ratios each
 * factline figure has against its baselines in the same run.
 */
import type { Figure, Results } from "../measure";

interface Target {
  figure: string;
  text: string;
  /** true/false = met/missed; undefined = cannot tell (a figure it needs is missing). */
  check(fig: Figure, results: Results): boolean | undefined;
}

const atLeast = (x: number) => (f: Figure) => f.summary.median >= x;
const atMost = (x: number) => (f: Figure) => f.summary.median <= x;
const ratioAtLeast = (baseline: string, x: number) => (f: Figure, r: Results) => {
  const ratio = ratioTo(f, r.get(baseline));
  return ratio === undefined ? undefined : ratio >= x;
};

// Issue 17's table: the ratios against the plain table (what the store's code and schema cost
// together), group commit against raw writers, the live tail at 100 and 1,000 followers, the
// console at 1M facts. The lookups and the live view's heap keep round 1's targets.
export const TARGETS: Target[] = [
  {
    figure: "append.b500.factline",
    text: "≥ 0.8× plain-table INSERT",
    check: ratioAtLeast("append.b500.plain-insert", 0.8),
  },
  {
    figure: "catchup.all.factline",
    text: "≥ 0.8× plain cursor read",
    check: ratioAtLeast("catchup.all.plain-cursor", 0.8),
  },
  {
    figure: "append.c8.factline",
    text: "≥ 2× raw INSERT (8 connections)",
    check: ratioAtLeast("append.c8.raw-insert", 2),
  },
  { figure: "live.f100.r1000.p50", text: "p50 ≤ 5 ms", check: atMost(5) },
  { figure: "live.f100.r1000.p99", text: "p99 ≤ 25 ms", check: atMost(25) },
  { figure: "live.f1000.r1000.onTime", text: "≥ 99.9 % within 1 s", check: atLeast(99.9) },
  { figure: "live.f1000.r1000.p99", text: "p99 ≤ 250 ms", check: atMost(250) },
  // The issue states these at 10M facts; the table shows the scale the run used.
  { figure: "lookups.bySerial.p99", text: "p99 ≤ 2 ms (at 10M)", check: atMost(2) },
  { figure: "lookups.catalog.p99", text: "≤ 10 ms (at 10M)", check: atMost(10) },
  ...["overview", "namespace", "fact"].map((page) => ({
    figure: `console.${page}.firstRow`,
    text: "≤ 300 ms",
    check: atMost(300),
  })),
  { figure: "console.live.heapMax", text: "≤ 150 MB, flat", check: atMost(150) },
];

/** How many times better `fig` is than `baseline` (> 1 = factline better), either unit direction. */
export function ratioTo(fig: Figure, baseline: Figure | undefined): number | undefined {
  if (!baseline || !(baseline.summary.median > 0) || !(fig.summary.median > 0)) return undefined;
  return fig.higherIsBetter
    ? fig.summary.median / baseline.summary.median
    : baseline.summary.median / fig.summary.median;
}

/** Baselines a factline figure is compared with: same figure id, other system suffix. */
const BASELINES: Array<{ suffix: string; label: string }> = [
  { suffix: "plain-insert", label: "raw plain INSERT" },
  { suffix: "plain-copy", label: "raw plain COPY" },
  { suffix: "plain-cursor", label: "raw plain cursor" },
  { suffix: "raw-insert", label: "raw INSERT" },
  { suffix: "raw-copy", label: "raw COPY" },
  { suffix: "raw-cursor", label: "raw cursor" },
  { suffix: "emmett", label: "Emmett" },
];

/** Fills in comparisons and targets on every figure of `results`. */
export function evaluate(results: Results): void {
  for (const fig of results.figures) {
    if (!fig.id.endsWith(".factline")) continue;
    const stem = fig.id.slice(0, -".factline".length);
    fig.comparisons = BASELINES.flatMap(({ suffix, label }) => {
      const ratio = ratioTo(fig, results.get(`${stem}.${suffix}`));
      return ratio === undefined ? [] : [{ vs: `${stem}.${suffix}`, label, ratio }];
    });
  }
  for (const target of TARGETS) {
    const fig = results.get(target.figure);
    if (!fig) continue;
    const met = target.check(fig, results);
    if (met === undefined) continue;
    fig.targets = [...(fig.targets ?? []), { text: target.text, met }];
  }
}
