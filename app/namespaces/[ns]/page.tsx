/** `/namespaces/<ns>` (CONTRACT.md routes). */
import type { Metadata } from "next";
import { NamespaceSkeleton } from "@/components/namespace/NamespaceSkeleton";
import { NamespaceView } from "@/components/namespace/NamespaceView";
import { AfterHydration } from "@/components/ui/AfterHydration";

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
  return (
    <AfterHydration fallback={<NamespaceSkeleton />}>
      <NamespaceView ns={ns} />
    </AfterHydration>
  );
}
