"use client";
/** Facts per second over the last minute as a small bar chart (plain SVG), with per-type rates. */
import type { RateSnapshot } from "@/lib/client/live-rate";

const WIDTH = 240;
const HEIGHT = 48;

export function LiveRateChart({ rate }: { rate: RateSnapshot }) {
  const max = Math.max(1, ...rate.perSecond);
  const bar = WIDTH / rate.perSecond.length;
  return (
    <div className="flex flex-wrap items-start gap-4" data-testid="live-rate">
      <div>
        <div className="text-xs text-muted">
          <span className="tabular text-sm font-semibold text-fg" data-testid="live-rate-overall">{formatRate(rate.overall)}</span> facts/s (10 s average)
        </div>
        <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`Facts per second over the last minute, peak ${max}`} className="mt-1 rounded border border-line bg-surface-2">
          {rate.perSecond.map((n, i) => {
            const h = (n / max) * (HEIGHT - 4);
            return <rect key={i} x={i * bar + 0.5} y={HEIGHT - h} width={Math.max(1, bar - 1)} height={h} className="fill-accent" />;
          })}
        </svg>
        <div className="flex justify-between text-[10px] text-subtle"><span>−60 s</span><span>peak {max}/s</span><span>now</span></div>
      </div>
      <table className="text-xs" aria-label="Facts per second by type">
        <tbody>
          {rate.perType.length === 0 && <tr><td className="text-subtle">no facts in the last 10 s</td></tr>}
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

function formatRate(r: number): string {
  return r >= 10 ? Math.round(r).toLocaleString("en") : r.toFixed(1);
}
