/** `/schemas/<ns>/<type>/<version>` (README "The console"): one registered schema version. */
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SchemaVersionView } from "@/components/schemas/SchemaVersionView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { decodeSegment } from "@/lib/browser/schemas-links";

type Props = { params: Promise<{ ns: string; type: string; version: string }> };

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { ns, type, version } = await props.params;
  return { title: `${decodeSegment(ns)} / ${decodeSegment(type)} v${version} (schema)` };
}

export default async function SchemaVersionPage(props: Props) {
  const { ns, type, version } = await props.params;
  // Versions are positive integers; anything else is not a page.
  if (!/^[1-9]\d{0,8}$/.test(version)) notFound();
  return (
    <AfterHydration fallback={<SkeletonRows rows={8} />}>
      <SchemaVersionView ns={decodeSegment(ns)} type={decodeSegment(type)} version={Number(version)} />
    </AfterHydration>
  );
}
