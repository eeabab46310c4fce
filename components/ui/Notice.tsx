/** Messages the user should read: information, warnings, errors. Never a stack trace. */
import type { ReactNode } from "react";
import { cx } from "@/lib/view/cx";

type Tone = "info" | "warn" | "danger" | "ok";

const tones: Record<Tone, string> = {
  info: "border-line bg-surface-2 text-fg",
  warn: "border-warn/40 bg-warn-soft text-fg",
  danger: "border-danger/50 bg-danger-soft text-fg",
  ok: "border-ok/40 bg-ok-soft text-fg",
};
const marks: Record<Tone, { glyph: string; className: string }> = {
  info: { glyph: "i", className: "bg-surface-3 text-muted" },
  warn: { glyph: "!", className: "bg-warn text-surface" },
  danger: { glyph: "×", className: "bg-danger text-surface" },
  ok: { glyph: "✓", className: "bg-ok text-surface" },
};

export function Notice(props: {
  tone?: Tone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  action?: ReactNode;
}) {
  const tone = props.tone ?? "info";
  // Errors interrupt (alert); everything else waits for the screen reader's turn (status).
  const role = tone === "danger" ? "alert" : "status";
  return (
    <div
      role={role}
      className={cx("flex items-start gap-3 rounded-lg border px-4 py-3 text-sm", tones[tone], props.className)}
    >
      <span
        aria-hidden
        className={cx(
          "mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold",
          marks[tone].className,
        )}
      >
        {marks[tone].glyph}
      </span>
      <div className="min-w-0 flex-1 space-y-1">
        {props.title && <p className="font-semibold">{props.title}</p>}
        {props.children && <div className="break-words text-muted">{props.children}</div>}
      </div>
      {props.action && <div className="shrink-0">{props.action}</div>}
    </div>
  );
}
