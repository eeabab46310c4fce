"use client";
/**
 * `/facts/<serial>`: one fact, whole. Payload (as published or as another version, FactPayload.tsx)
 * and header as JSON trees (raw on demand), the header as fields, neighbours of the same type, and
 * the aggregate's history.
 */
import { Refused } from "@/components/access/Refused";
import { ButtonLink } from "@/components/ui/Button";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { PageTitle } from "@/components/ui/PageTitle";
import { Timestamp } from "@/components/ui/Timestamp";
import { JsonViewer } from "@/components/json/JsonViewer";
import { FactValidity } from "@/components/schemas/FactValidity";
import { isNotFound, isRefused } from "@/lib/browser/errors";
import { useFact } from "@/lib/browser/facts";
import { useStoreStatus } from "@/lib/browser/store-status";
import { kindOf } from "@/lib/view/facts";
import { factsHref } from "@/lib/view/links";
import { formatBytes, formatCount } from "@/lib/view/numbers";
import { AggregateHistory } from "./AggregateHistory";
import { FactFields } from "./FactFields";
import { FactNav } from "./FactNav";
import { FactPayload } from "./FactPayload";
import { FactSkeleton } from "./FactSkeleton";

export function FactView(props: { serial: bigint } | { id: string }) {
  const { detail, error, isPending, refetch } = useFact(props);
  const status = useStoreStatus();
  const key = "serial" in props ? `serial ${formatCount(props.serial)}` : `id ${props.id}`;

  if (isPending) return <FactSkeleton />;
  if (error && isNotFound(error)) {
    // The server checked before rendering; this is the rare fact that vanished (or a store that
    // came back with another database) since then.
    return (
      <div className="mx-auto mt-16 max-w-lg text-center">
        <h1 className="text-xl font-semibold text-fg">No fact with {key}</h1>
        <p className="mt-2 text-sm text-muted">This store has no such fact.</p>
        <ButtonLink className="mt-6" href="/facts" variant="primary">
          Browse facts
        </ButtonLink>
      </div>
    );
  }
  if (error && isRefused(error)) return <Refused what={`read the fact with ${key}`} error={error} back />;
  if (error || !detail)
    return <ErrorNotice error={error} retry={() => void refetch()} what={`The fact with ${key} could not be loaded`} />;

  const { fact } = detail;
  return (
    <div className="space-y-4">
      <PageTitle
        eyebrow={`Fact ${formatCount(fact.serial)}`}
        title={<span data-testid="fact-title">{kindOf(fact)}</span>}
        subtitle={
          <>
            Published <Timestamp ms={fact.publishedMs} /> · {formatBytes(fact.payloadBytes)} payload{" "}
            <FactValidity fact={fact} />
          </>
        }
        actions={
          <>
            <FactNav
              previous={detail.previousSerial}
              next={detail.nextSerial}
              previousUnknown={status.data?.adminAvailable === false}
            />
            <ButtonLink
              size="sm"
              variant="ghost"
              href={factsHref({ namespaces: [fact.ns], types: fact.type ? [fact.type] : [] })}
            >
              Browse this type
            </ButtonLink>
          </>
        }
      />
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_28rem]">
        <div className="min-w-0 space-y-4">
          <FactPayload fact={fact} />
          <AggregateHistory detail={detail} />
          <JsonViewer
            text={fact.headerJson}
            label="header"
            title="Header (as stored)"
            downloadName={`fact-${fact.serial}-header.json`}
          />
        </div>
        <div className="min-w-0 space-y-4 lg:sticky lg:top-16">
          <FactFields fact={fact} />
        </div>
      </div>
    </div>
  );
}
