/** `/schemas/validate?ns=&type=&version=&serial=`: the validation playground. */
import type { Metadata } from "next";
import { Playground } from "@/components/schemas/Playground";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Validation playground" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function ValidatePage(props: Props) {
  const q = await props.searchParams;
  const version = Number(one(q.version));
  return (
    <AfterHydration fallback={<SkeletonRows rows={8} />}>
      <Playground
        ns={one(q.ns)}
        type={one(q.type)}
        version={Number.isInteger(version) && version > 0 ? version : 1}
        serial={one(q.serial).replace(/\D/g, "")}
      />
    </AfterHydration>
  );
}
