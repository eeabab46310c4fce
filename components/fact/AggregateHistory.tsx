"use client";
/** The facts sharing an aggregate id with this one: what happened to this aggregate, in order. */
import { FactList } from "@/components/facts/FactList";
import { ButtonLink } from "@/components/ui/Button";
import { Panel } from "@/components/ui/Panel";
import type { FactDetail } from "@/lib/view/facts";
import { factsHref } from "@/lib/view/links";
import { plural } from "@/lib/view/numbers";

export function AggregateHistory({ detail }: { detail: FactDetail }) {
  const { fact, aggregateHistory, aggregateHistoryTruncated } = detail;
  if (fact.aggIds.length === 0) return null;
  return (
    <Panel
      id="history"
      flush
      title={`Aggregate history (${plural(aggregateHistory.length, "fact")}${aggregateHistoryTruncated ? ", newest shown" : ""})`}
      aside={
        <ButtonLink
          size="sm"
          variant="ghost"
          href={factsHref({ aggIds: fact.aggIds.length === 1 ? fact.aggIds : [fact.aggIds[0]] })}
        >
          Browse all →
        </ButtonLink>
      }
    >
      <div className="max-h-96 overflow-auto">
        <FactList rows={aggregateHistory} current={fact.serial} showNamespace testId="aggregate-history" />
      </div>
    </Panel>
  );
}
