/**
 * `/facts/id/<uuid>`: redirects to the fact's serial page, the canonical permalink. Unknown ids
 * are a 404; if the store cannot be asked, the fact is rendered by id instead.
 */
import { notFound, redirect } from "next/navigation";
import { FactSkeleton } from "@/components/fact/FactSkeleton";
import { FactView } from "@/components/fact/FactView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { isUuid } from "@/lib/query-params";
import { uuidToMsg } from "@/lib/server/factcast";
import { sharedUpstream } from "@/lib/server/upstream";

type Props = { params: Promise<{ uuid: string }> };

export const metadata = { title: "Fact" };

export default async function FactByIdPage(props: Props) {
  const id = (await props.params).uuid.toLowerCase();
  if (!isUuid(id)) notFound();
  let serial: bigint | undefined;
  let asked = false;
  try {
    const res = await sharedUpstream().factStore.serialOf(uuidToMsg(id));
    asked = true;
    if (res.present) serial = res.serial;
  } catch {
    // Unreachable store: fall through and let the page say so.
  }
  if (serial !== undefined) redirect(`/facts/${serial}`);
  if (asked) notFound();
  return (
    <AfterHydration fallback={<FactSkeleton />}>
      <FactView id={id} />
    </AfterHydration>
  );
}
