/** `/schemas/register?ns=&type=&version=`: register a new schema version after checking it. */
import type { Metadata } from "next";
import { RegisterForm } from "@/components/schemas/RegisterForm";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Register a schema" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function RegisterSchemaPage(props: Props) {
  const q = await props.searchParams;
  const version = Number(one(q.version));
  return (
    <AfterHydration fallback={<SkeletonRows rows={8} />}>
      <RegisterForm
        ns={one(q.ns)}
        type={one(q.type)}
        version={Number.isInteger(version) && version > 0 ? version : 1}
      />
    </AfterHydration>
  );
}
