"use client";
/**
 * The console's sections; the current one is marked for sighted and screen-reader users alike.
 * Audit appears only for accounts the store lets read the audit log.
 */
import Link from "@/components/ui/Link";
import { usePathname } from "next/navigation";
import { useAccess } from "@/lib/browser/access";
import { offerAudit } from "@/lib/view/access";
import { cx } from "@/lib/view/cx";

const LINKS = [
  { href: "/", label: "Overview", active: (p: string) => p === "/" || p.startsWith("/namespaces") },
  { href: "/facts", label: "Facts", active: (p: string) => p.startsWith("/facts") },
  { href: "/schemas", label: "Schemas", active: (p: string) => p.startsWith("/schemas") },
  { href: "/live", label: "Live", active: (p: string) => p.startsWith("/live") },
  { href: "/subscriptions", label: "Subscriptions", active: (p: string) => p.startsWith("/subscriptions") },
  { href: "/instances", label: "Instances", active: (p: string) => p.startsWith("/instances") },
];
const AUDIT = { href: "/audit", label: "Audit", active: (p: string) => p.startsWith("/audit") };

export function NavLinks() {
  const pathname = usePathname();
  const access = useAccess();
  const links = offerAudit(access.data) ? [...LINKS, AUDIT] : LINKS;
  return (
    <nav aria-label="Sections" className="flex items-center gap-1">
      {links.map((l) => {
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
