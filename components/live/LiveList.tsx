"use client";
/**
 * The live list: newest first, virtualized (only the rows in view exist in the DOM, so 50,000
 * buffered facts cost no more to render than 50), with reconnect markers between facts.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { Timestamp } from "@/components/ui/Timestamp";
import type { LiveItem } from "@/lib/browser/live-buffer";
import { cx } from "@/lib/view/cx";
import { formatCount } from "@/lib/view/numbers";
import { formatTimestamp } from "@/lib/view/time";

/** Fixed: the virtualizer positions rows by arithmetic instead of measuring each one. */
const ROW_HEIGHT = 30;
const COLUMNS = "6rem 9rem minmax(6rem,10rem) minmax(8rem,14rem) minmax(10rem,1fr)";

export function LiveList({
  items,
  selected,
  onSelect,
}: {
  items: LiveItem[];
  selected?: bigint;
  onSelect(serial: bigint): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => items[i].key,
    // A few screens' worth beyond the viewport: scrolling stays smooth while facts stream in.
    overscan: 20,
  });
  return (
    <div className="overflow-hidden rounded-lg border border-line bg-surface">
      <div
        aria-hidden
        className="grid border-b border-line bg-surface-2 py-1.5 text-[11px] font-medium uppercase tracking-wide text-muted"
        style={{ gridTemplateColumns: COLUMNS }}
      >
        <span className="px-3 text-right">Serial</span>
        <span className="px-3">Published</span>
        <span className="px-3">Namespace</span>
        <span className="px-3">Type</span>
        <span className="px-3">Payload</span>
      </div>
      <div
        ref={scroller}
        role="grid"
        aria-label="Live facts, newest first"
        aria-rowcount={items.length}
        data-testid="live-list"
        className="h-[60vh] overflow-auto"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((v) => {
            const item = items[v.index];
            const style = { height: ROW_HEIGHT, transform: `translateY(${v.start}px)`, gridTemplateColumns: COLUMNS };
            if (item.kind === "marker") {
              return (
                <div
                  key={item.key}
                  role="row"
                  data-testid="live-marker"
                  className="absolute left-0 top-0 flex w-full items-center gap-2 border-b border-line bg-warn-soft px-3 text-xs text-warn"
                  style={{ height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}
                >
                  <span role="gridcell">
                    ↻ {item.reason} at {formatTimestamp(item.atMs, "local")}, after serial{" "}
                    {formatCount(item.afterSerial)} — nothing missed, nothing repeated
                  </span>
                </div>
              );
            }
            const f = item.fact;
            return (
              <div
                key={item.key}
                role="row"
                aria-selected={selected === f.serial}
                data-serial={f.serial.toString()}
                onClick={() => onSelect(f.serial)}
                className={cx(
                  "absolute left-0 top-0 grid w-full cursor-pointer items-center border-b border-line text-xs hover:bg-row-hover",
                  selected === f.serial && "bg-row-selected",
                )}
                style={style}
              >
                <div role="gridcell" className="tabular truncate px-3 text-right font-mono text-accent">
                  {formatCount(f.serial)}
                </div>
                <div role="gridcell" className="truncate px-3 text-muted">
                  <Timestamp ms={f.publishedMs} short className="tabular" />
                </div>
                <div role="gridcell" className="truncate px-3">
                  {f.ns}
                </div>
                <div role="gridcell" className="truncate px-3 font-medium">
                  {f.type || <span className="text-subtle">(none)</span>}
                  {f.version ? <span className="text-subtle"> v{f.version}</span> : null}
                </div>
                <div role="gridcell" className="truncate px-3 font-mono text-[11px] text-muted">
                  {f.payloadJson}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
