"use client";
/**
 * Renders `fallback` on the server and while hydrating, `children` from then on. Pages that fetch
 * their data in the browser have nothing but skeletons to show on the server anyway (the overview,
 * namespace and fact pages are rendered with theirs instead: lib/backend/routes/prefetch.ts); but a page
 * streamed behind loading.tsx hydrates after the header, whose store-status query may already
 * have filled the shared cache: a page reading that cache while hydrating would render other
 * text than the server did (React error #418). After hydration, reading the cache is safe.
 */
import { useSyncExternalStore, type ReactNode } from "react";

const noSubscription = () => () => {};

/** false on the server and during hydration, true afterwards (and on client-side navigations). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

export function AfterHydration({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  return useHydrated() ? children : fallback;
}
