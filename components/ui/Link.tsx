/**
 * The console's links: next/link without prefetching unless a link asks for it. Every console page
 * is rendered per request (the session cookie, the CSP nonce, the store's data), so a prefetch
 * brings the browser little it can show, yet each costs the console server a render: Next.js
 * prefetches every link that scrolls into view, and the overview alone (20 namespaces, their type
 * chips, the sections) made ~100 such requests right after it hydrated — work that competed with
 * the next page's render on the same cores (docs/performance.md, "Console first row: where the
 * time went"). A click still navigates client-side, rendering only what changes.
 */
import NextLink from "next/link";
import type { ComponentProps } from "react";

export default function Link({ prefetch = false, ...props }: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={prefetch} {...props} />;
}
