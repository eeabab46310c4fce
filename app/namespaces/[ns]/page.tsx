/**
 * `/namespaces/<ns>` (README "The console"), rendered with its data (lib/backend/routes/prefetch.ts; why
 * there is no loading.tsx: app/page.tsx).
 */
import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { NamespaceView } from "@/components/namespace/NamespaceView";
import { prefetchNamespacePage } from "@/lib/backend/routes/prefetch";

type Props = { params: Promise<{ ns: string }> };

/** Route params arrive percent-encoded for some characters; a namespace is shown as published. */
async function namespaceOf(props: Props): Promise<string> {
  const { ns } = await props.params;
  try {
    return decodeURIComponent(ns);
  } catch {
    return ns;
  }
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  return { title: `${await namespaceOf(props)} (namespace)` };
}

export default async function NamespacePage(props: Props) {
  const ns = await namespaceOf(props);
  const { state } = await prefetchNamespacePage(ns);
  return (
    <HydrationBoundary state={state}>
      <NamespaceView ns={ns} />
    </HydrationBoundary>
  );
}
