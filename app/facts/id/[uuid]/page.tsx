/**
 * `/facts/id/<uuid>`: redirects to the fact's serial page, the canonical permalink, which is
 * rendered with its data. Unknown ids are a 404; if the store does not answer in time, the fact
 * is rendered by id instead and the browser loads it.
 */
import { notFound, redirect } from "next/navigation";
import { FactView } from "@/components/fact/FactView";
import { isUuid, PARAM } from "@/lib/query-params";
import { serialOfFact } from "@/lib/backend/routes/prefetch";

type Props = {
  params: Promise<{ uuid: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export const metadata = { title: "Fact" };

export default async function FactByIdPage(props: Props) {
  const id = (await props.params).uuid.toLowerCase();
  if (!isUuid(id)) notFound();
  const serial = await serialOfFact(id);
  if (serial === null) notFound();
  // The version to show the fact as travels along (components/fact/FactPayload.tsx reads it).
  const asVersion = (await props.searchParams)[PARAM.asVersion];
  const query = typeof asVersion === "string" ? `?${new URLSearchParams({ [PARAM.asVersion]: asVersion })}` : "";
  if (serial !== undefined) redirect(`/facts/${serial}${query}`);
  return <FactView id={id} />;
}
