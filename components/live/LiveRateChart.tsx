"use client";
/** Facts per second over the last minute as a small bar chart (plain SVG), with per-type rates. */
import { Sparkline } from "@/components/ui/Sparkline";
import type { RateSnapshot } from "@/lib/browser/live-rate";
import { formatRate } from "@/lib/view/numbers";

const WIDTH = 240;
const HEIGHT = 48;

export function LiveRateChart({ rate }: { rate: RateSnapshot }) {
  const max = Math.max(1, ...rate.perSecond);
  return (
    <div className="flex flex-wrap items-start gap-4" data-testid="live-rate">
      <div>
        <div className="text-xs text-muted">
          <span className="tabular text-sm font-semibold text-fg" data-testid="live-rate-overall">
            {formatRate(rate.overall)}
          </span>{" "}
          facts/s (10 s average)
        </div>
        <div className="mt-1">
          <Sparkline
            values={rate.perSecond}
            width={WIDTH}
            height={HEIGHT}
            label={`Facts per second over the last minute, peak ${max}`}
          />
        </div>
        <div className="flex justify-between text-[10px] text-subtle">
          <span>−60 s</span>
          <span>peak {max}/s</span>
          <span>now</span>
        </div>
      </div>
      <table className="text-xs" aria-label="Facts per second by type">
        <tbody>
          {rate.perType.length === 0 && (
            <tr>
              <td className="text-subtle">no facts in the last 10 s</td>
            </tr>
          )}
          {rate.perType.map((t) => (
            <tr key={t.type}>
              <td className="max-w-48 truncate pr-3">{t.type}</td>
              <td className="tabular text-right text-muted">{formatRate(t.rate)}/s</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
