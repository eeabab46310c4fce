/** A bordered section with an optional title row; the console's basic block. */
import type { ReactNode } from "react";
import { cx } from "@/lib/view/cx";

export function Panel(props: {
  title?: ReactNode;
  /** Right side of the title row: counts, links, actions. */
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
  /** Body without padding, for tables that run edge to edge. */
  flush?: boolean;
  id?: string;
}) {
  return (
    <section
      className={cx("rounded-lg border border-line bg-surface", props.className)}
      aria-labelledby={props.id && props.title ? `${props.id}-title` : undefined}
    >
      {(props.title || props.aside) && (
        <header className="flex min-h-10 flex-wrap items-center justify-between gap-2 border-b border-line px-4 py-2">
          {props.title && (
            <h2 id={props.id ? `${props.id}-title` : undefined} className="text-sm font-semibold text-fg">
              {props.title}
            </h2>
          )}
          {props.aside && <div className="flex flex-wrap items-center gap-2 text-xs text-muted">{props.aside}</div>}
        </header>
      )}
      <div className={props.flush ? undefined : "p-4"}>{props.children}</div>
    </section>
  );
}
