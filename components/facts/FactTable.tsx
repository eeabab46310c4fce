"use client";
/**
 * The fact browser's table: virtualized (only the rows in view exist in the DOM), fixed row
 * height (no measuring, so 50,000 rows scroll as smoothly as 50), more rows fetched as the end
 * comes into view. Keyboard: ↑/↓/PgUp/PgDn/Home/End move the active row, Enter opens it.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRouter } from "next/navigation";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from "react";
import { usePreferences } from "@/lib/browser/preferences";
import type { FactRow } from "@/lib/view/facts";
import { factHref } from "@/lib/view/links";
import { zoneLabel } from "@/lib/view/time";
import { FactTableRow, GRID_COLUMNS, ROW_HEIGHT, type QuickFilter } from "./FactTableRow";

/** Rows rendered beyond the visible ones, so fast scrolling rarely shows blank space. */
const OVERSCAN = 12;
/** Start fetching the next page this many rows before the end is reached. */
const PREFETCH_ROWS = 100;

const rowHeight = () => ROW_HEIGHT;

export interface FactTableProps {
  rows: FactRow[];
  /** More rows exist after the last one and may be fetched. */
  canLoadMore: boolean;
  loadMore(): void;
  loadingMore: boolean;
  /** Shown in place of the rows: skeleton, empty state, error. */
  placeholder?: ReactNode;
  /** Status line under the last row (end of result, cap reached, load failure…). */
  footer: ReactNode;
  /** Banner above the first row (newer facts). */
  header?: ReactNode;
  onQuickFilter(filter: QuickFilter): void;
  /** The rows are shown as this version of their type (`asVersion`): their pages open in it too. */
  asVersion?: number;
}

export function FactTable(props: FactTableProps) {
  const { rows, canLoadMore, loadMore, loadingMore, asVersion } = props;
  const router = useRouter();
  const { timeZone } = usePreferences();
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);

  // Options must keep their identity between renders: a new getItemKey or estimateSize makes the
  // virtualizer recompute the positions of all rows (50,000) on every scroll frame.
  const getItemKey = useCallback((i: number) => rows[i].serial.toString(), [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: rowHeight,
    overscan: OVERSCAN,
    getItemKey,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (canLoadMore && !loadingMore && rows.length > 0 && lastVisible >= rows.length - PREFETCH_ROWS) loadMore();
  }, [canLoadMore, loadingMore, lastVisible, rows.length, loadMore]);

  // Rows put in front (newer facts) must not move what the user is reading: shift the scroll
  // position by their height, unless the list is at its very top, where seeing them is the point.
  const firstSerial = useRef<bigint | undefined>(undefined);
  useLayoutEffect(() => {
    const previous = firstSerial.current;
    firstSerial.current = rows[0]?.serial;
    const el = scroller.current;
    if (!el || previous === undefined || rows[0]?.serial === previous || el.scrollTop === 0) return;
    const added = rows.findIndex((r) => r.serial === previous);
    if (added > 0) {
      el.scrollTop += added * ROW_HEIGHT;
      setActive((a) => a + added);
    }
  }, [rows]);

  const activeIndex = Math.min(active, Math.max(rows.length - 1, 0));
  const open = (i: number) => rows[i] && router.push(factHref(rows[i].serial, asVersion));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || rows.length === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
    let next: number | undefined;
    if (e.key in moves) next = activeIndex + moves[e.key];
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = rows.length - 1;
    else if (e.key === "Enter") return open(activeIndex);
    if (next === undefined) return;
    e.preventDefault();
    next = Math.max(0, Math.min(rows.length - 1, next));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
  };

  // Stable across renders, so scrolling re-renders only the rows that enter the view (FactTableRow is memoized).
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const onRowClick = useCallback(
    (e: MouseEvent, i: number) => {
      // Chips inside a row do their own thing; selecting text is not a click either. The serial is
      // a plain <a>: a modified click on it (new tab, …) is left to the browser.
      const target = e.target as HTMLElement;
      const link = target.closest("a[data-row-link]");
      if ((link && (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0)) || target.closest("button")) return;
      if (!link && window.getSelection()?.toString()) return;
      const row = rowsRef.current[i];
      if (!row) return;
      e.preventDefault();
      setActive(i);
      if (e.ctrlKey || e.metaKey) window.open(factHref(row.serial, asVersion), "_blank");
      else router.push(factHref(row.serial, asVersion));
    },
    [router, asVersion],
  );

  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-hidden rounded-lg border border-line bg-surface">
      <div
        ref={scroller}
        role="grid"
        aria-label="Facts"
        aria-rowcount={rows.length + 1}
        aria-activedescendant={rows.length ? `fact-row-${rows[activeIndex].serial}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        className="group/table relative min-h-0 flex-1 overflow-auto focus-visible:outline-offset-[-2px]"
        data-testid="fact-table"
      >
        <div className="min-w-[1180px]">
          <div
            role="row"
            aria-rowindex={1}
            className="sticky top-0 z-10 grid border-b border-line bg-surface-2 text-xs font-medium text-muted"
            style={{ gridTemplateColumns: GRID_COLUMNS }}
          >
            {[
              "Serial",
              `Published (${zoneLabel(timeZone)})`,
              "Namespace",
              "Type",
              "Ver.",
              "Aggregate ids",
              "Meta",
              "Payload (preview)",
            ].map((h, i) => (
              <div key={h} role="columnheader" className={i === 0 || i === 4 ? "px-3 py-2 text-right" : "px-3 py-2"}>
                {h}
              </div>
            ))}
          </div>
          {props.header}
          {props.placeholder ?? (
            <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => (
                <FactTableRow
                  key={item.key}
                  row={rows[item.index]}
                  index={item.index}
                  start={item.start}
                  active={item.index === activeIndex}
                  onClick={onRowClick}
                  onQuickFilter={props.onQuickFilter}
                  asVersion={asVersion}
                />
              ))}
            </div>
          )}
          {!props.placeholder && (
            <div className="border-t border-line px-3 py-2 text-xs text-muted">{props.footer}</div>
          )}
        </div>
      </div>
    </div>
  );
}
