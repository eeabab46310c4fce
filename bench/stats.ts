/** Summaries over repetitions: the median is the figure, the spread says how much to trust it. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  p25: number;
  p75: number;
  n: number;
}

/** Linear-interpolated percentile (0..100) of already sorted values. */
export function percentileOfSorted(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function percentile(values: number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: percentileOfSorted(sorted, 50),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    p25: percentileOfSorted(sorted, 25),
    p75: percentileOfSorted(sorted, 75),
    n: sorted.length,
  };
}

/** Splits samples (in arrival order) into `parts` consecutive windows, dropping empty ones. */
export function windows<T>(samples: T[], parts: number): T[][] {
  const size = Math.ceil(samples.length / Math.max(1, parts));
  const out: T[][] = [];
  for (let i = 0; i < samples.length; i += size) out.push(samples.slice(i, i + size));
  return out;
}
