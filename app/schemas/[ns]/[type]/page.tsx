/** `/schemas/<ns>/<type>` (README "The console"): a type's versions and their differences. */
import type { Metadata } from "next";
import { TypeSchemas } from "@/components/schemas/TypeSchemas";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { decodeSegment } from "@/lib/browser/schemas-links";

type Props = { params: Promise<{ ns: string; type: string }> };

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { ns, type } = await props.params;
  return { title: `${decodeSegment(ns)} / ${decodeSegment(type)} (schemas)` };
}

export default async function SchemaTypePage(props: Props) {
  const { ns, type } = await props.params;
  return (
    <AfterHydration fallback={<SkeletonRows rows={6} />}>
      <TypeSchemas ns={decodeSegment(ns)} type={decodeSegment(type)} />
    </AfterHydration>
  );
}
