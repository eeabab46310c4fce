/** The sign-in page's frame: one narrow panel in the middle, the console's mark above it. */
import type { ReactNode } from "react";

export function SignInPanel(props: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex flex-1 items-start justify-center pt-[12vh]">
      <section className="w-full max-w-sm rounded-lg border border-line bg-surface p-6 shadow-sm">
        <div className="mb-5 space-y-1">
          <h1 className="text-lg font-semibold tracking-tight text-fg">{props.title}</h1>
          {props.subtitle && <p className="text-sm text-muted">{props.subtitle}</p>}
        </div>
        {props.children}
      </section>
    </div>
  );
}
