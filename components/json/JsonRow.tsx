"use client";
/**
 * One row of the JSON tree: a key and its value, or a range of a big container's children.
 * Everything from the payload is rendered as React text (escaped); nothing is ever parsed as HTML.
 */
import { memo } from "react";
import { decodeString } from "@/lib/view/json-scan";
import type { JsonDocument, TreeRow } from "@/lib/view/json-tree";
import { formatBytes, formatCount } from "@/lib/view/numbers";
import { cx } from "@/lib/view/cx";

/** Characters of a string shown inline; the rest waits behind "+N chars" so rows stay one line. */
export const INLINE_STRING_CHARS = 240;
/** An opened long string is shown in chunks this big: 2 MB of text in one node stalls layout. */
export const STRING_CHUNK_CHARS = 100_000;
const INDENT_PX = 16;

interface Props {
  doc: JsonDocument;
  row: TreeRow;
  open: boolean;
  active: boolean;
  match: "none" | "match" | "current";
  /** Characters of this (long) string shown opened; 0 = inline preview only. */
  shownChars: number;
  onToggle(row: TreeRow): void;
  onShowString(row: TreeRow, chars: number): void;
  onActivate(row: TreeRow): void;
  onCopyValue(row: TreeRow): void;
  onCopyPath(row: TreeRow): void;
}

export const JsonRow = memo(function JsonRow(p: Props) {
  const { row, doc } = p;
  const indent = { paddingLeft: row.depth * INDENT_PX + 4 };
  const rowClass = cx(
    "group flex min-h-6 items-start gap-1 py-0.5 pr-2 font-mono text-xs leading-5",
    p.match === "current" ? "bg-mark" : p.match === "match" ? "bg-mark/40" : "hover:bg-row-hover",
    // The keyboard's row shows only while the tree has focus.
    p.active && p.match === "none" && "group-focus-visible/tree:bg-row-selected",
  );

  if (row.type === "group") {
    return (
      <div className={rowClass} style={indent} onClick={() => p.onActivate(row)}>
        <Toggle open={p.open} onClick={() => p.onToggle(row)} label={`items ${row.from} to ${row.to - 1}`} />
        <span className="text-subtle">
          [{formatCount(row.from)} … {formatCount(row.to - 1)}]
        </span>
      </div>
    );
  }

  const { span } = row;
  const container = (span.kind === "object" || span.kind === "array") && !isEmptyContainer(doc, span);
  return (
    <div className={rowClass} style={indent} onClick={() => p.onActivate(row)}>
      {container ? (
        <Toggle open={p.open} onClick={() => p.onToggle(row)} label={String(row.keyOf ?? "root")} />
      ) : (
        <span className="w-4 shrink-0" />
      )}
      <div className="min-w-0 flex-1">
        {row.keyOf !== undefined && (
          <span className={typeof row.keyOf === "number" ? "text-subtle" : "text-json-key"}>
            {typeof row.keyOf === "number" ? row.keyOf : JSON.stringify(row.keyOf)}
            <span className="text-subtle">: </span>
          </span>
        )}
        <Value doc={doc} row={row} open={p.open} shownChars={p.shownChars} onShowString={p.onShowString} />
      </div>
      <span className="flex shrink-0 gap-1 opacity-0 group-hover:opacity-100 group-focus-within:opacity-100">
        <RowAction label="Copy value" onClick={() => p.onCopyValue(row)} />
        <RowAction label="Copy path" onClick={() => p.onCopyPath(row)} />
      </span>
    </div>
  );
});

function Value({
  doc,
  row,
  open,
  shownChars,
  onShowString,
}: {
  doc: JsonDocument;
  row: Extract<TreeRow, { type: "value" }>;
  open: boolean;
  shownChars: number;
  onShowString: Props["onShowString"];
}) {
  const { span } = row;
  switch (span.kind) {
    case "object":
    case "array": {
      const [l, r] = span.kind === "object" ? ["{", "}"] : ["[", "]"];
      if (isEmptyContainer(doc, span)) return <span className="text-muted">{l + r}</span>;
      const count = doc.countIfCheap(span);
      const noun = span.kind === "object" ? "key" : "item";
      const hint =
        count === undefined
          ? formatBytes(span.end - span.start)
          : `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
      return (
        <span className="text-muted">
          {open ? l : `${l}…${r}`} <span className="font-sans text-[11px] text-subtle">{hint}</span>
        </span>
      );
    }
    case "string":
      return <StringValue literal={doc.raw(span)} row={row} shownChars={shownChars} onShowString={onShowString} />;
    case "number":
      return <span className="text-json-number">{doc.raw(span)}</span>;
    default:
      return <span className="text-json-literal">{doc.raw(span)}</span>;
  }
}

function StringValue({
  literal,
  row,
  shownChars,
  onShowString,
}: {
  literal: string;
  row: TreeRow;
  shownChars: number;
  onShowString: Props["onShowString"];
}) {
  // Decoding is skipped for the common case; a long literal is cut before decoding the preview.
  const long = literal.length > INLINE_STRING_CHARS + 2;
  if (!long) return <span className="break-all text-json-string">{JSON.stringify(decodeString(literal))}</span>;
  const value = decodeString(literal);
  if (shownChars === 0) {
    return (
      <span className="break-all text-json-string">
        &quot;{value.slice(0, INLINE_STRING_CHARS)}…&quot;{" "}
        <button
          type="button"
          className="font-sans text-[11px] text-accent hover:underline"
          onClick={() => onShowString(row, STRING_CHUNK_CHARS)}
        >
          +{formatCount(value.length - INLINE_STRING_CHARS)} chars
        </button>
      </span>
    );
  }
  const shown = value.slice(0, shownChars);
  return (
    <div className="mt-0.5">
      <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-all rounded border border-line bg-surface-2 p-2 text-json-string">
        {shown}
      </pre>
      <div className="mt-1 flex gap-3 font-sans text-[11px]">
        {shownChars < value.length && (
          <button
            type="button"
            className="text-accent hover:underline"
            onClick={() => onShowString(row, shownChars + STRING_CHUNK_CHARS)}
          >
            Show {formatCount(Math.min(STRING_CHUNK_CHARS, value.length - shownChars))} more of{" "}
            {formatCount(value.length)} chars
          </button>
        )}
        <button type="button" className="text-accent hover:underline" onClick={() => onShowString(row, 0)}>
          Fold
        </button>
      </div>
    </div>
  );
}

/** `{}` and `[]` have nothing to open: no toggle, no count. */
function isEmptyContainer(doc: JsonDocument, span: { start: number; end: number }): boolean {
  return /^[[{]\s*[\]}]$/.test(doc.text.slice(span.start, Math.min(span.end, span.start + 64)));
}

function Toggle({ open, onClick, label }: { open: boolean; onClick(): void; label: string }) {
  return (
    <button
      type="button"
      tabIndex={-1}
      aria-label={`${open ? "Collapse" : "Expand"} ${label}`}
      aria-expanded={open}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
      className="flex h-5 w-4 shrink-0 items-center justify-center text-subtle hover:text-fg"
    >
      <span className={cx("inline-block text-[10px] transition-transform", open && "rotate-90")}>▶</span>
    </button>
  );
}

function RowAction({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button
      type="button"
      tabIndex={-1}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
      className="rounded border border-line bg-surface px-1.5 font-sans text-[11px] leading-4 text-muted hover:border-accent hover:text-accent"
    >
      {label}
    </button>
  );
}
