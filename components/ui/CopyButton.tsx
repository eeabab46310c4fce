"use client";
/** Copies text to the clipboard and says so for a moment. */
import { useEffect, useState, type ReactNode } from "react";
import { cx } from "@/lib/view/cx";
import { buttonClass } from "./Button";

/** Long enough to read "Copied", short enough not to linger over the next action. */
const CONFIRM_MS = 1_500;

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The async clipboard needs a secure context; plain-HTTP deployments fall back to execCommand.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function CopyButton(props: {
  text: string | (() => string);
  label?: ReactNode;
  /** For a symbol-only label: what a screen reader says instead. */
  ariaLabel?: string;
  title?: string;
  className?: string;
  size?: "sm" | "md";
  variant?: "secondary" | "ghost";
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), CONFIRM_MS);
    return () => clearTimeout(t);
  }, [state]);
  const label = props.label ?? "Copy";
  return (
    <button
      type="button"
      title={props.title}
      aria-label={props.ariaLabel}
      className={cx(buttonClass(props.variant ?? "secondary", props.size ?? "sm"), props.className)}
      onClick={async () => {
        const text = typeof props.text === "function" ? props.text() : props.text;
        setState((await copyText(text)) ? "copied" : "failed");
      }}
    >
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : label}</span>
    </button>
  );
}
