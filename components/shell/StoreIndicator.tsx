"use client";
/** The store's identity and health at a glance, in the header of every page. */
import Link from "next/link";
import { useStoreStatus } from "@/lib/browser/store-status";
import { formatCount } from "@/lib/view/numbers";
import { cx } from "@/lib/view/cx";

export function StoreIndicator() {
  const { data, isError, isPending } = useStoreStatus();
  const reachable = data?.reachable === true;
  const state = isPending ? "pending" : isError || !reachable ? "down" : "up";
  const title = isPending
    ? "Asking the store…"
    : state === "down"
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
          state === "up" ? "bg-ok" : state === "down" ? "bg-danger" : "animate-pulse bg-subtle",
        )}
      />
      <span className="truncate" data-testid="store-indicator">
        {state === "pending" && "Connecting…"}
        {state === "down" && <span className="font-medium text-danger">Store unreachable</span>}
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
