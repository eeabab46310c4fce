/** `/schemas` (README "The console"): the schema registry. */
import type { Metadata } from "next";
import { SchemaIndex } from "@/components/schemas/SchemaIndex";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Schemas" };

export default function SchemasPage() {
  return (
    <AfterHydration fallback={<SkeletonRows rows={8} />}>
      <SchemaIndex />
    </AfterHydration>
  );
}
