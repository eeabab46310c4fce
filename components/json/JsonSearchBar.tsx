"use client";
/** Search within one JSON document, step through the matches, fold everything back. */
import { useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import type { JsonSearchResult } from "@/lib/view/json-search";
import { formatCount } from "@/lib/view/numbers";

export function JsonSearchBar(props: {
  label: string;
  result?: JsonSearchResult & { current: number };
  onSearch(query: string): void;
  onClear(): void;
  onStep(delta: number): void;
  onCollapse(): void;
  onReset(): void;
  toast: string;
}) {
  const [query, setQuery] = useState("");
  // The query last searched: Enter again on the same text steps to the next match.
  const searched = useRef("");
  const r = props.result;
  const id = `json-search-${props.label}`;
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-line bg-surface px-3 py-2">
      <form
        role="search"
        className="flex items-center gap-1.5"
        onSubmit={(e) => {
          e.preventDefault();
          const q = query.trim();
          if (r && q !== "" && r.matches.length > 0 && searched.current === q) props.onStep(1);
          else props.onSearch(q);
          searched.current = q;
        }}
      >
        <label htmlFor={id} className="sr-only">
          Search in the {props.label}
        </label>
        <input
          id={id}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              setQuery("");
              searched.current = "";
              props.onClear();
            } else if (e.key === "Enter" && e.shiftKey) {
              e.preventDefault();
              props.onStep(-1);
            }
          }}
          placeholder={`Search keys and values in the ${props.label}`}
          className="h-7 w-64 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent"
        />
        <Button size="sm" type="submit">
          Find
        </Button>
      </form>
      {r && (
        <span className="flex items-center gap-1 text-xs text-muted" aria-live="polite" data-testid="json-search-count">
          {r.matches.length === 0 ? (
            "No match"
          ) : (
            <>
              <span className="tabular">
                {formatCount(r.current + 1)} of {formatCount(r.matches.length)}
                {r.truncated ? "+ (first ones shown)" : ""}
              </span>
              <Button size="sm" variant="ghost" onClick={() => props.onStep(-1)} aria-label="Previous match">
                ↑
              </Button>
              <Button size="sm" variant="ghost" onClick={() => props.onStep(1)} aria-label="Next match">
                ↓
              </Button>
            </>
          )}
        </span>
      )}
      <span className="text-xs text-ok" aria-live="polite">
        {props.toast}
      </span>
      <span
        className="ml-auto hidden text-[11px] text-subtle xl:inline"
        title="In the tree: arrows move, open and close; Enter toggles; c copies the value, p its path"
      >
        ↑↓←→ · Enter · c copy value · p copy path
      </span>
      <span className="ml-auto flex gap-1 xl:ml-0">
        <Button size="sm" variant="ghost" onClick={props.onReset} title="Open the first levels again">
          Reset view
        </Button>
        <Button size="sm" variant="ghost" onClick={props.onCollapse}>
          Collapse all
        </Button>
      </span>
    </div>
  );
}
