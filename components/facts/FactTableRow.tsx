"use client";
/**
 * One row of the fact table. Its aggregate ids and meta values are buttons that add themselves
 * to the query (FactCast's UI offers the same "quick filters" from its JSON view).
 */
import { memo, type MouseEvent } from "react";
import { Timestamp } from "@/components/ui/Timestamp";
import { userMeta, type FactRow } from "@/lib/view/facts";
import { factHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { cx } from "@/lib/view/cx";

/** Fixed: the virtualizer positions rows by arithmetic instead of measuring each one. */
export const ROW_HEIGHT = 34;
export const GRID_COLUMNS =
  "6.5rem 11rem minmax(7rem,9rem) minmax(9rem,13rem) 3rem minmax(8rem,11rem) minmax(10rem,16rem) minmax(16rem,1fr)";

export type QuickFilter =
  | { kind: "aggId"; value: string }
  | { kind: "meta"; key: string; value: string }
  | { kind: "ns"; value: string }
  | { kind: "type"; value: string };

/** How many chips fit in a cell before the rest becomes "+N" (the fact page shows them all). */
const CHIPS_SHOWN = 2;

const chip =
  "max-w-full shrink-0 truncate rounded border border-line bg-surface-2 px-1.5 py-px font-mono text-[11px] text-fg hover:border-accent hover:bg-accent-soft hover:text-accent-soft-fg";

interface Props {
  row: FactRow;
  index: number;
  start: number;
  active: boolean;
  onClick(e: MouseEvent, index: number): void;
  onQuickFilter(filter: QuickFilter): void;
  /** The list shows its facts as this version: the row's page does too. */
  asVersion?: number;
}

export const FactTableRow = memo(function FactTableRow({
  row,
  index,
  start,
  active,
  onClick,
  onQuickFilter,
  asVersion,
}: Props) {
  const meta = userMeta(row.meta).flatMap(([k, values]) => values.map((v) => [k, v] as const));
  return (
    <div
      role="row"
      id={`fact-row-${row.serial}`}
      aria-rowindex={index + 2}
      aria-selected={active}
      data-serial={row.serial.toString()}
      onClick={(e) => onClick(e, index)}
      className={cx(
        "absolute left-0 top-0 grid w-full cursor-pointer items-center border-b border-line text-xs",
        // The keyboard's row shows only while the table has focus; a mouse user sees hover only.
        active ? "hover:bg-row-hover group-focus-visible/table:bg-row-selected" : "hover:bg-row-hover",
      )}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)`, gridTemplateColumns: GRID_COLUMNS }}
    >
      <div role="gridcell" className="truncate px-3 text-right">
        {/*
          A plain link (the row's click handler navigates in the app): next/link costs a router
          subscription per row, which shows when thousands of rows scroll by, and its prefetch
          would ask the server for every fact in view.
        */}
        <a
          href={factHref(row.serial, asVersion)}
          className="tabular font-mono text-accent hover:underline"
          tabIndex={-1}
          data-row-link
        >
          {formatCount(row.serial)}
        </a>
      </div>
      <div role="gridcell" className="truncate px-3 text-muted">
        <Timestamp ms={row.publishedMs} short className="tabular" />
      </div>
      <div role="gridcell" className="flex min-w-0 px-3">
        <button
          type="button"
          tabIndex={-1}
          className="truncate hover:text-accent hover:underline"
          title={`Only namespace ${row.ns}`}
          onClick={() => onQuickFilter({ kind: "ns", value: row.ns })}
        >
          {row.ns}
        </button>
      </div>
      <div role="gridcell" className="flex min-w-0 px-3">
        {row.type ? (
          <button
            type="button"
            tabIndex={-1}
            className="truncate font-medium hover:text-accent hover:underline"
            title={`Only type ${row.type}`}
            onClick={() => onQuickFilter({ kind: "type", value: row.type })}
          >
            {row.type}
          </button>
        ) : (
          <span className="text-subtle">(no type)</span>
        )}
      </div>
      <div role="gridcell" className="tabular px-3 text-right text-muted">
        {row.version || ""}
      </div>
      <div role="gridcell" className="flex min-w-0 items-center gap-1 overflow-hidden px-3">
        {row.aggIds.slice(0, CHIPS_SHOWN).map((id) => (
          <button
            key={id}
            type="button"
            tabIndex={-1}
            className={chip}
            title={`Only aggregate ${id}`}
            onClick={() => onQuickFilter({ kind: "aggId", value: id })}
          >
            {id.slice(0, 8)}
          </button>
        ))}
        {row.aggIds.length > CHIPS_SHOWN && <span className="text-subtle">+{row.aggIds.length - CHIPS_SHOWN}</span>}
      </div>
      <div role="gridcell" className="flex min-w-0 items-center gap-1 overflow-hidden px-3">
        {meta.slice(0, CHIPS_SHOWN).map(([k, v]) => (
          <button
            key={`${k}=${v}`}
            type="button"
            tabIndex={-1}
            className={chip}
            title={`Only facts with meta ${k}=${v}`}
            onClick={() => onQuickFilter({ kind: "meta", key: k, value: v })}
          >
            {k}={v}
          </button>
        ))}
        {meta.length > CHIPS_SHOWN && <span className="text-subtle">+{meta.length - CHIPS_SHOWN}</span>}
      </div>
      <div role="gridcell" className="truncate px-3 font-mono text-muted">
        {row.payloadJson}
        {row.payloadTruncated && <span className="text-subtle"> …</span>}
      </div>
    </div>
  );
});
