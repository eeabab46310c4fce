"use client";
/**
 * A collapsible, searchable JSON tree for payloads of any size (lib/view/json-tree.ts decides
 * which rows exist; this component virtualizes them, so the DOM holds only the rows in view).
 * Keyboard: ↑/↓ move, → opens / steps in, ← closes / steps out, Enter toggles, c copies the
 * value, p copies the path.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { copyText } from "@/components/ui/CopyButton";
import { decodeString } from "@/lib/view/json-scan";
import { searchJson, type JsonSearchResult } from "@/lib/view/json-search";
import {
  idsToReveal,
  initialOpen,
  jsonPath,
  pointer,
  rootOnly,
  visibleRows,
  type JsonDocument,
  type TreeRow,
} from "@/lib/view/json-tree";
import { JsonRow } from "./JsonRow";
import { JsonSearchBar } from "./JsonSearchBar";

/** Rows are one line (24 px) unless a long string is opened; those are measured. */
const ROW_ESTIMATE_PX = 24;
const OVERSCAN = 20;
const rowEstimate = () => ROW_ESTIMATE_PX;
/**
 * The view assumed until the tree can measure itself (server render, hydration): about its height
 * on a laptop screen (70vh of 900 px), so the page arrives with the first screenful of rows.
 */
const INITIAL_VIEW = { width: 0, height: 630 };

export function JsonTree({ doc, pathRoot, label }: { doc: JsonDocument; pathRoot: string; label: string }) {
  const [open, setOpen] = useState(() => initialOpen(doc));
  const [strings, setStrings] = useState<ReadonlyMap<string, number>>(new Map());
  const [activeId, setActiveId] = useState("");
  const [search, setSearch] = useState<JsonSearchResult & { current: number }>();
  const [toast, setToast] = useState("");
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => visibleRows(doc, open), [doc, open]);
  const matchIds = useMemo(() => new Set(search?.matches.map((m) => pointer(m.path))), [search]);
  const currentMatchId = search && search.matches.length > 0 ? pointer(search.matches[search.current].path) : undefined;

  // Stable options: new functions would make the virtualizer re-measure every row on each render.
  const getItemKey = useCallback((i: number) => rows[i].id, [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: rowEstimate,
    overscan: OVERSCAN,
    getItemKey,
    initialRect: INITIAL_VIEW,
  });

  const toggle = useCallback((row: TreeRow) => {
    setActiveId(row.id);
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      return next;
    });
  }, []);

  const say = (text: string) => {
    setToast(text);
    setTimeout(() => setToast(""), 1500);
  };
  const copyValue = useCallback(
    async (row: TreeRow) => {
      if (row.type !== "value") return;
      const raw = doc.raw(row.span);
      // A string is copied as its value (what one pastes elsewhere); anything else exactly as stored.
      const ok = await copyText(row.span.kind === "string" ? decodeString(raw) : raw);
      say(ok ? "Value copied" : "Copy failed");
    },
    [doc],
  );
  const copyPath = useCallback(
    async (row: TreeRow) => {
      const ok = await copyText(jsonPath(row.path, pathRoot));
      say(ok ? `Copied ${jsonPath(row.path, pathRoot)}` : "Copy failed");
    },
    [pathRoot],
  );
  const showString = useCallback((row: TreeRow, chars: number) => {
    setStrings((prev) => new Map(prev).set(row.id, chars));
  }, []);

  const goToMatch = (result: JsonSearchResult, index: number) => {
    setSearch({ ...result, current: index });
    const m = result.matches[index];
    if (!m) return;
    const reveal = idsToReveal(doc, m.path, m.indexes);
    const nextOpen = new Set(open);
    for (const id of reveal) nextOpen.add(id);
    setOpen(nextOpen);
    const id = pointer(m.path);
    setActiveId(id);
    // Rows for the new open set are computed here so the scroll target is known at once.
    const at = visibleRows(doc, nextOpen).findIndex((r) => r.id === id);
    if (at >= 0) requestAnimationFrame(() => virtualizer.scrollToIndex(at, { align: "center" }));
  };

  const activeIndex = Math.max(
    0,
    rows.findIndex((r) => r.id === activeId),
  );
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || rows.length === 0) return;
    const row = rows[activeIndex];
    const isOpen = open.has(row.id);
    const openable = row.type === "group" || row.span.kind === "object" || row.span.kind === "array";
    let next: number | undefined;
    switch (e.key) {
      case "ArrowDown":
        next = activeIndex + 1;
        break;
      case "ArrowUp":
        next = activeIndex - 1;
        break;
      case "ArrowRight":
        if (openable && !isOpen) toggle(row);
        else next = activeIndex + 1;
        break;
      case "ArrowLeft":
        if (openable && isOpen) toggle(row);
        else
          for (let i = activeIndex - 1; i >= 0; i--)
            if (rows[i].depth < row.depth) {
              next = i;
              break;
            }
        break;
      case "Enter":
      case " ":
        if (openable) toggle(row);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = rows.length - 1;
        break;
      case "c":
        void copyValue(row);
        break;
      case "p":
        void copyPath(row);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next !== undefined) {
      next = Math.max(0, Math.min(rows.length - 1, next));
      setActiveId(rows[next].id);
      virtualizer.scrollToIndex(next, { align: "auto" });
    }
  };

  return (
    <div className="flex min-h-0 flex-col">
      <JsonSearchBar
        label={label}
        result={search}
        onSearch={(q) => goToMatch(searchJson(doc.text, q), 0)}
        onClear={() => setSearch(undefined)}
        onStep={(delta) =>
          search &&
          search.matches.length > 0 &&
          goToMatch(search, (search.current + delta + search.matches.length) % search.matches.length)
        }
        onCollapse={() => setOpen(rootOnly(doc))}
        onReset={() => setOpen(initialOpen(doc))}
        toast={toast}
      />
      <div
        ref={scroller}
        role="tree"
        aria-label={label}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={rows[activeIndex] ? `json-${label}-${activeIndex}` : undefined}
        className="group/tree max-h-[70vh] min-h-12 overflow-auto rounded-b-lg bg-surface py-1 focus-visible:outline-offset-[-2px]"
        data-testid={`json-tree-${label}`}
      >
        <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                id={`json-${label}-${item.index}`}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-selected={item.index === activeIndex}
                aria-expanded={
                  row.type === "group" || row.span.kind === "object" || row.span.kind === "array"
                    ? open.has(row.id)
                    : undefined
                }
                className="absolute left-0 top-0 w-full"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <JsonRow
                  doc={doc}
                  row={row}
                  open={open.has(row.id)}
                  active={item.index === activeIndex}
                  match={row.id === currentMatchId ? "current" : matchIds.has(row.id) ? "match" : "none"}
                  shownChars={strings.get(row.id) ?? 0}
                  onToggle={toggle}
                  onShowString={showString}
                  onActivate={(r) => setActiveId(r.id)}
                  onCopyValue={copyValue}
                  onCopyPath={copyPath}
                />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
