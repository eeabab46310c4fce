/**
 * `/facts/<serial>`: one fact. The page asks the store whether the serial exists before
 * rendering, so an unknown serial is a real 404 (not-found.tsx) rather than an empty page with
 * status 200; the fact itself is then loaded by the browser (GetFact).
 */
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FactSkeleton } from "@/components/fact/FactSkeleton";
import { FactView } from "@/components/fact/FactView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { fetchBySerial } from "@/lib/server/factcast";
import { sharedUpstream } from "@/lib/server/upstream";

type Props = { params: Promise<{ serial: string }> };

// Serials are int64 on the wire; anything else is not a serial at all.
const MAX_SERIAL = 2n ** 63n - 1n;

function serialOf(raw: string): bigint | undefined {
  if (!/^\d{1,19}$/.test(raw)) return undefined;
  const serial = BigInt(raw);
  return serial >= 1n && serial <= MAX_SERIAL ? serial : undefined;
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { serial } = await props.params;
  return { title: `Fact ${serial}` };
}

export default async function FactPage(props: Props) {
  const serial = serialOf((await props.params).serial);
  if (serial === undefined) notFound();
  let exists: boolean | undefined;
  try {
    exists = (await fetchBySerial(sharedUpstream(), serial)) !== undefined;
  } catch {
    // The store is unreachable or failing: render anyway; the page explains the error in words.
  }
  if (exists === false) notFound();
  return (
    <AfterHydration fallback={<FactSkeleton />}>
      <FactView serial={serial} />
    </AfterHydration>
  );
}
