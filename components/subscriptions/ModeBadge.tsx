/** A subscription's mode as a small badge, and whether it is past its catch-up. */
import { SubscriptionMode } from "@/gen/factline/admin/v1/operations_pb";
import { cx } from "@/lib/view/cx";
import { MODE_HINTS, MODE_LABELS } from "@/lib/view/subscriptions";

const TONES: Record<SubscriptionMode, string> = {
  [SubscriptionMode.UNSPECIFIED]: "bg-surface-2 text-muted",
  [SubscriptionMode.CATCHUP]: "bg-warn-soft text-warn",
  [SubscriptionMode.FOLLOW]: "bg-accent-soft text-accent-soft-fg",
  [SubscriptionMode.EPHEMERAL]: "bg-surface-3 text-fg",
};

export function ModeBadge({ mode, caughtUp }: { mode: SubscriptionMode; caughtUp: boolean }) {
  // A catch-up that is "caught up" is done and about to end; a follower that is not is still reading history.
  const phase = mode === SubscriptionMode.CATCHUP ? (caughtUp ? "done" : "reading") : caughtUp ? "live" : "catching up";
  return (
    <span
      className="inline-flex flex-col items-start gap-0.5"
      data-testid="subscription-mode"
      data-mode={MODE_LABELS[mode]}
    >
      <span
        className={cx("rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap", TONES[mode])}
        title={MODE_HINTS[mode]}
      >
        {MODE_LABELS[mode]}
      </span>
      <span className="text-[11px] whitespace-nowrap text-subtle">{phase}</span>
    </span>
  );
}
