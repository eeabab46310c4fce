/**
 * `/facts/<serial>`: one fact, rendered with its data (lib/backend/routes/prefetch.ts). The store's answer
 * also decides the status: an unknown serial is a real 404 (not-found.tsx) rather than an empty
 * page with status 200. A store that does not answer in time gets the page without the fact, and
 * the browser loads it (and explains a failure in words).
 */
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HydrationBoundary } from "@tanstack/react-query";
import { FactView } from "@/components/fact/FactView";
import { prefetchFactPage } from "@/lib/backend/routes/prefetch";

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
  const { state, found } = await prefetchFactPage({ serial });
  if (found === false) notFound();
  return (
    <HydrationBoundary state={state}>
      <FactView serial={serial} />
    </HydrationBoundary>
  );
}
