"use client";
/** Two version pickers and the classified diff between them (CompareVersions). */
import { useState } from "react";
import { ErrorNotice } from "@/components/ui/ErrorNotice";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { useCompare } from "@/lib/browser/schemas";
import { BreakingSummary, ChangeList } from "./ChangeList";

export function CompareVersions({
  ns,
  type,
  versions,
  initialTo,
}: {
  ns: string;
  type: string;
  versions: number[];
  initialTo?: number;
}) {
  const sorted = [...versions].sort((a, b) => a - b);
  const to0 = initialTo ?? sorted[sorted.length - 1];
  const [to, setTo] = useState(to0);
  const [from, setFrom] = useState(sorted.filter((v) => v < to0).pop() ?? sorted[0]);
  const diff = useCompare(ns, type, from, to);
  const select = (label: string, value: number, set: (v: number) => void) => (
    <label className="flex items-center gap-1 text-xs text-muted">
      {label}
      <select
        value={value}
        onChange={(e) => set(Number(e.target.value))}
        aria-label={`Compare ${label}`}
        className="h-7 rounded border border-line bg-surface px-1 text-sm text-fg"
      >
        {sorted.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Panel
      title="Compare versions"
      id="compare"
      flush
      aside={
        <>
          {select("from", from, setFrom)}
          {select("to", to, setTo)}
          {diff.data && (
            <BreakingSummary readers={diff.data.breakingForReaders} writers={diff.data.breakingForWriters} />
          )}
        </>
      }
    >
      {from === to && <p className="p-4 text-sm text-muted">Pick two different versions.</p>}
      {diff.error && <ErrorNotice className="m-4" error={diff.error} what="The versions could not be compared" />}
      {diff.isLoading && <SkeletonRows rows={3} className="p-4" />}
      {diff.data && <ChangeList changes={diff.data.changes} />}
    </Panel>
  );
}
