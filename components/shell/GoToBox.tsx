"use client";
/**
 * "Go to serial / fact id", on every page. `/` focuses it from anywhere (as in GitHub, Gmail and
 * most consoles), unless the user is typing somewhere else; Escape leaves it.
 */
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { Kbd } from "@/components/ui/Kbd";
import { resolveGoTo } from "@/lib/view/goto";
import { cx } from "@/lib/view/cx";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function GoToBox() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();
  const errorId = useId();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <form
      role="search"
      className="relative"
      onSubmit={(e) => {
        e.preventDefault();
        const target = resolveGoTo(value);
        if ("error" in target) return setError(target.error);
        setError(undefined);
        setValue("");
        input.current?.blur();
        router.push(target.href);
      }}
    >
      <label className="sr-only" htmlFor="goto-input">
        Go to a fact by serial or id
      </label>
      <input
        ref={input}
        id="goto-input"
        name="goto"
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder="Go to serial or fact id"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setError(undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            setValue("");
            setError(undefined);
            e.currentTarget.blur();
          }
        }}
        className={cx(
          "h-8 w-56 rounded-md border bg-surface pl-2.5 pr-8 font-mono text-xs text-fg placeholder:font-sans placeholder:text-subtle lg:w-72",
          error ? "border-danger" : "border-line focus:border-accent",
        )}
      />
      <span className="pointer-events-none absolute inset-y-0 right-1.5 flex items-center">
        <Kbd>/</Kbd>
      </span>
      {error && (
        <p
          id={errorId}
          role="alert"
          className="absolute right-0 top-9 z-30 w-72 rounded-md border border-danger/50 bg-surface px-3 py-2 text-xs text-danger shadow-lg"
        >
          {error}
        </p>
      )}
    </form>
  );
}
