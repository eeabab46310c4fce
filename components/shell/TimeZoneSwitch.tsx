"use client";
/** UTC or the browser's zone for every timestamp on screen; remembered across visits. */
import { usePreferences } from "@/lib/browser/preferences";
import { cx } from "@/lib/view/cx";
import type { TimeZoneChoice } from "@/lib/view/preferences";

const OPTIONS: { value: TimeZoneChoice; label: string; title: string }[] = [
  { value: "utc", label: "UTC", title: "Show times in UTC" },
  { value: "local", label: "Local", title: "Show times in this browser's time zone" },
];

export function TimeZoneSwitch() {
  const { timeZone, setTimeZone } = usePreferences();
  return (
    <div
      role="group"
      aria-label="Time zone"
      className="inline-flex h-7 overflow-hidden rounded-md border border-line text-xs"
    >
      {OPTIONS.map((o) => (
        <button
          key={o.value}
          type="button"
          title={o.title}
          aria-pressed={timeZone === o.value}
          onClick={() => setTimeZone(o.value)}
          className={cx(
            "px-2 font-medium transition-colors",
            timeZone === o.value
              ? "bg-accent-soft text-accent-soft-fg"
              : "bg-surface text-muted hover:bg-surface-2 hover:text-fg",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
