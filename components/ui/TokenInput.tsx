"use client";
/**
 * A field holding several values as removable chips: namespaces, types, aggregate ids, meta
 * pairs. Enter (or a comma, where values cannot contain one) adds what was typed; Backspace in
 * an empty field removes the last chip. Text still in the field counts as a value on submit
 * (`pending`), so "type and press Apply" works without an extra Enter.
 */
import { useId, useState, type KeyboardEvent } from "react";
import { cx } from "@/lib/view/cx";

export interface TokenInputProps {
  id: string;
  label: string;
  values: string[];
  onChange(values: string[]): void;
  /** What is typed but not yet a chip; the form reads it on submit. */
  pending: string;
  onPendingChange(text: string): void;
  placeholder?: string;
  /** Offered while typing (browser datalist): known namespaces, types. */
  suggestions?: string[];
  /** Split on commas too (for values that never contain one, like UUIDs and names). */
  commaSeparates?: boolean;
  error?: string;
  hint?: string;
  mono?: boolean;
}

export function TokenInput(props: TokenInputProps) {
  const listId = useId();
  const hintId = useId();
  const [focused, setFocused] = useState(false);

  const commit = (text: string) => {
    const parts = (props.commaSeparates ? text.split(",") : [text]).map((p) => p.trim()).filter(Boolean);
    const next = [...props.values];
    for (const p of parts) if (!next.includes(p)) next.push(p);
    if (next.length !== props.values.length) props.onChange(next);
    props.onPendingChange("");
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" && props.pending.trim() !== "") {
      // Enter with text adds a chip; Enter in an empty field submits the form as usual.
      e.preventDefault();
      commit(props.pending);
    } else if (e.key === "," && props.commaSeparates) {
      e.preventDefault();
      commit(props.pending);
    } else if (e.key === "Backspace" && props.pending === "" && props.values.length > 0) {
      props.onChange(props.values.slice(0, -1));
    }
  };

  return (
    <div className="min-w-0">
      <label htmlFor={props.id} className="mb-1 block text-xs font-medium text-muted">
        {props.label}
      </label>
      <div
        className={cx(
          "flex min-h-8 flex-wrap items-center gap-1 rounded-md border bg-surface px-1.5 py-1",
          props.error ? "border-danger" : focused ? "border-accent ring-2 ring-focus/30" : "border-line",
        )}
      >
        {props.values.map((v) => (
          <span
            key={v}
            className={cx(
              "inline-flex max-w-full items-center gap-1 rounded bg-accent-soft py-0.5 pl-1.5 pr-0.5 text-xs text-accent-soft-fg",
              props.mono && "font-mono",
            )}
          >
            <span className="truncate" title={v}>
              {v}
            </span>
            <button
              type="button"
              aria-label={`Remove ${v}`}
              onClick={() => props.onChange(props.values.filter((x) => x !== v))}
              className="rounded px-1 leading-none text-accent-soft-fg/70 hover:bg-surface hover:text-fg"
            >
              ×
            </button>
          </span>
        ))}
        <input
          id={props.id}
          value={props.pending}
          list={props.suggestions?.length ? listId : undefined}
          placeholder={props.values.length === 0 ? props.placeholder : undefined}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error || props.hint ? hintId : undefined}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => props.onPendingChange(e.target.value)}
          onKeyDown={onKeyDown}
          onFocus={() => setFocused(true)}
          onBlur={() => {
            setFocused(false);
            if (props.pending.trim()) commit(props.pending);
          }}
          className={cx(
            "h-6 min-w-24 flex-1 bg-transparent px-1 text-xs text-fg outline-none placeholder:text-subtle",
            props.mono && "font-mono",
          )}
        />
      </div>
      {props.suggestions && props.suggestions.length > 0 && (
        <datalist id={listId}>
          {props.suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
      {(props.error || props.hint) && (
        <p id={hintId} className={cx("mt-1 text-xs", props.error ? "text-danger" : "text-subtle")}>
          {props.error ?? props.hint}
        </p>
      )}
    </div>
  );
}
