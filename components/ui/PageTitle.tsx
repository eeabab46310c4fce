/** The title row of a page: what this is, a line of context, and actions on the right. */
import type { ReactNode } from "react";

export function PageTitle(props: { title: ReactNode; eyebrow?: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        {props.eyebrow && (
          <div className="mb-0.5 text-xs font-medium uppercase tracking-wide text-subtle">{props.eyebrow}</div>
        )}
        <h1 className="break-all text-xl font-semibold tracking-tight text-fg">{props.title}</h1>
        {props.subtitle && <div className="mt-1 text-sm text-muted">{props.subtitle}</div>}
      </div>
      {props.actions && <div className="flex flex-wrap items-center gap-2">{props.actions}</div>}
    </div>
  );
}
