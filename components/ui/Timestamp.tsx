"use client";
/**
 * A publish time in the zone the user chose (header switch); the other zone is in the tooltip.
 * Pages are rendered on the server with their data, and the server knows neither the browser's
 * zone nor the moment the page is read: local times and ages are written once the page has
 * hydrated, so the server's HTML and the browser's first render agree (no hydration mismatch).
 */
import { useHydrated } from "@/components/ui/AfterHydration";
import { usePreferences } from "@/lib/browser/preferences";
import type { TimeZoneChoice } from "@/lib/view/preferences";
import { formatAge, formatTimestamp, formatTimestampShort } from "@/lib/view/time";

export function Timestamp({ ms, short, className }: { ms: number; short?: boolean; className?: string }) {
  const { timeZone } = usePreferences();
  const hydrated = useHydrated();
  if (!ms) return <span className={className}>—</span>;
  const dateTime = new Date(ms).toISOString();
  if (timeZone === "local" && !hydrated) return <time dateTime={dateTime} className={className} />;
  const other = timeZone === "utc" ? "local" : "utc";
  return (
    <time
      dateTime={dateTime}
      title={hydrated ? `${formatTimestamp(ms, timeZone)}\n${formatTimestamp(ms, other)}` : undefined}
      className={className}
    >
      {short ? formatTimestampShort(ms, timeZone) : formatTimestamp(ms, timeZone)}
    </time>
  );
}

/** formatTimestamp for this render: "" for the browser's zone until the page has hydrated. */
export function useTimestampText(): (ms: number, zone: TimeZoneChoice) => string {
  const hydrated = useHydrated();
  return (ms, zone) => (zone === "local" && !hydrated ? "" : formatTimestamp(ms, zone));
}

/** "5 min ago": relative to the moment the page is read, so written in the browser only. */
export function Age({ ms }: { ms: number }) {
  const hydrated = useHydrated();
  // A no-break space holds the line until then, so nothing shifts when the age appears.
  return <>{hydrated ? formatAge(ms) : "\u00a0"}</>;
}
