/** `/schemas/transform?ns=&type=&from=&to=&serial=`: a transformation's code, its check, registration and try-it panel. */
import type { Metadata } from "next";
import { TransformForm } from "@/components/transformations/TransformForm";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Transformation" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** A version from the URL; anything else leaves the field empty for the user to fill in. */
function version(text: string): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : 0;
}

export default async function TransformationPage(props: Props) {
  const q = await props.searchParams;
  return (
    <AfterHydration fallback={<SkeletonRows rows={8} />}>
      <TransformForm
        ns={one(q.ns)}
        type={one(q.type)}
        from={version(one(q.from))}
        to={version(one(q.to))}
        serial={/^\d+$/.test(one(q.serial)) ? one(q.serial) : ""}
      />
    </AfterHydration>
  );
}
