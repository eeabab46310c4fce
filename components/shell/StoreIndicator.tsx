"use client";
/**
 * The store's identity and health at a glance, in the header of every page: the latest serial, or
 * in words what is down (the store, or only its database). Being on every page, it also brings the
 * page back after an outage (lib/browser/store-status.ts useRecoveryAfterOutage).
 */
import Link from "@/components/ui/Link";
import { useRecoveryAfterOutage, useStoreStatus } from "@/lib/browser/store-status";
import { formatCount } from "@/lib/view/numbers";
import { cx } from "@/lib/view/cx";

export function StoreIndicator() {
  const { data } = useStoreStatus();
  const state = useRecoveryAfterOutage();
  const down = state === "unreachable" || state === "database-unavailable";
  const title =
    state === "pending"
      ? "Asking the store…"
      : state === "database-unavailable"
        ? `The store's database is unavailable${data?.error ? `: ${data.error}` : ""}`
        : state === "unreachable"
          ? `Store not reachable${data?.url ? ` at ${data.url}` : ""}${data?.error ? `: ${data.error}` : ""}`
          : `${data!.implementation || "FactCast"} at ${data!.url}, protocol ${data!.protocolVersion}`;
  return (
    <Link
      href="/"
      title={title}
      className="flex min-w-0 items-center gap-2 rounded-md px-2 py-1 text-xs text-muted hover:bg-surface-2 hover:text-fg"
    >
      <span
        aria-hidden
        className={cx(
          "size-2 shrink-0 rounded-full",
          state === "up" ? "bg-ok" : down ? "bg-danger" : "animate-pulse bg-subtle",
        )}
      />
      <span className="truncate" data-testid="store-indicator" data-state={state}>
        {state === "pending" && "Connecting…"}
        {state === "unreachable" && <span className="font-medium text-danger">Store unreachable</span>}
        {state === "database-unavailable" && <span className="font-medium text-danger">Database unavailable</span>}
        {state === "up" && (
          <>
            <span className="hidden xl:inline">{data!.implementation || "FactCast"} · </span>
            <span className="tabular">serial {formatCount(data!.latestSerial)}</span>
          </>
        )}
      </span>
    </Link>
  );
}
