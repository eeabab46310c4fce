"use client";
/** A publish time in the zone the user chose (header switch); the other zone is in the tooltip. */
import { usePreferences } from "@/lib/client/preferences";
import { formatTimestamp, formatTimestampShort } from "@/lib/view/time";

export function Timestamp({ ms, short, className }: { ms: number; short?: boolean; className?: string }) {
  const { timeZone } = usePreferences();
  if (!ms) return <span className={className}>—</span>;
  const other = timeZone === "utc" ? "local" : "utc";
  return (
    <time dateTime={new Date(ms).toISOString()} title={`${formatTimestamp(ms, timeZone)}\n${formatTimestamp(ms, other)}`} className={className}>
      {short ? formatTimestampShort(ms, timeZone) : formatTimestamp(ms, timeZone)}
    </time>
  );
}
