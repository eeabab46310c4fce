"use client";
/** The console's sections; the current one is marked for sighted and screen-reader users alike. */
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cx } from "@/lib/view/cx";

const LINKS = [
  { href: "/", label: "Overview", active: (p: string) => p === "/" || p.startsWith("/namespaces") },
  { href: "/facts", label: "Facts", active: (p: string) => p.startsWith("/facts") },
  { href: "/schemas", label: "Schemas", active: (p: string) => p.startsWith("/schemas") },
  { href: "/live", label: "Live", active: (p: string) => p.startsWith("/live") },
];

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Sections" className="flex items-center gap-1">
      {LINKS.map((l) => {
        const active = l.active(pathname);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? "page" : undefined}
            className={cx(
              "rounded-md px-2.5 py-1.5 text-sm font-medium",
              active ? "bg-surface-2 text-fg" : "text-muted hover:bg-surface-2 hover:text-fg",
            )}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
