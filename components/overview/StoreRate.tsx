"use client";
/** The store-wide rate on the overview: facts per second now, and the last minute as bars. */
import { Sparkline } from "@/components/ui/Sparkline";
import { Skeleton } from "@/components/ui/Skeleton";
import { useStoreRate } from "@/lib/browser/store-rate";
import { formatRate } from "@/lib/view/numbers";

/** The drawing's own units; it is stretched to the card's width. */
const WIDTH = 240;
const HEIGHT = 28;

export function StoreRate({ down }: { down: boolean }) {
  const rate = useStoreRate();
  const r = rate.data;
  const perSecond = r?.samples.map((s) => s.factsPerSecond) ?? [];
  // The series fills from the right as the backend samples: a minute of bars, newest last.
  const points = r ? Math.round(60_000 / Math.max(1, r.sampleIntervalMs)) : 60;
  const bars = [...Array<number>(Math.max(0, points - perSecond.length)).fill(0), ...perSecond.slice(-points)];
  const measuring = r !== undefined && perSecond.length === 0;
  return (
    <div className="rounded-lg border border-line bg-surface px-4 py-3" data-testid="store-rate">
      <dt
        className="text-xs font-medium text-muted"
        title="Store-wide, from the store's newest serial sampled every second; works with any FactCast server"
      >
        Publishing now
      </dt>
      <dd className="mt-1">
        {down || (rate.isError && !r) ? (
          <span className="tabular text-xl font-semibold text-fg">—</span>
        ) : r === undefined ? (
          <Skeleton className="mt-1 h-6 w-20" />
        ) : (
          <span className="tabular text-xl font-semibold text-fg">
            <span data-testid="store-rate-value">{measuring ? "…" : formatRate(r.factsPerSecond)}</span>
            <span className="ml-1 text-xs font-normal text-muted">{measuring ? "measuring" : "facts/s"}</span>
          </span>
        )}
        <div className="mt-1.5">
          <Sparkline
            values={bars}
            width={WIDTH}
            height={HEIGHT}
            label={`Store-wide facts per second over the last minute, peak ${Math.round(Math.max(0, ...bars))}`}
            fluid
            testId="store-rate-chart"
          />
        </div>
      </dd>
    </div>
  );
}
