"use client";
/**
 * Every namespace with its types, counts and last activity: the catalog FactCast's own UI does
 * not have (it offers pickers only). A name filter with `*` wildcards helps stores with many
 * namespaces (kurrent-io/EventStore.UI#87).
 */
import Link from "@/components/ui/Link";
import { useMemo, useState } from "react";
import { Panel } from "@/components/ui/Panel";
import { SkeletonRows } from "@/components/ui/Skeleton";
import { Age, Timestamp } from "@/components/ui/Timestamp";
import type { GetCatalogResponse } from "@/gen/factline/console/v1/console_pb";
import { factHref, factsHref, namespaceHref } from "@/lib/view/links";
import { formatCount } from "@/lib/view/numbers";
import { FIRST_ROW, paintTimed } from "@/lib/view/element-timing";
import { nameMatcher } from "@/lib/view/name-filter";

/** Beyond this many types a row would wrap into a wall of chips; the namespace page lists them all. */
const TYPES_SHOWN = 8;

export function NamespaceTable({
  catalog,
  pending,
  unavailable,
}: {
  catalog?: GetCatalogResponse;
  pending: boolean;
  unavailable?: boolean;
}) {
  const [filter, setFilter] = useState("");
  const matches = useMemo(() => nameMatcher(filter), [filter]);
  const namespaces = useMemo(() => (catalog?.namespaces ?? []).filter((n) => matches(n.ns)), [catalog, matches]);
  const counts = catalog?.countsAvailable ?? false;
  const total = catalog?.namespaces.length ?? 0;

  return (
    <Panel
      id="namespaces"
      flush
      title={`Namespaces${catalog ? ` (${formatCount(total)})` : ""}`}
      aside={
        <>
          <label htmlFor="ns-filter" className="sr-only">
            Filter namespaces
          </label>
          <input
            id="ns-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Filter, e.g. user*"
            className="h-7 w-44 rounded-md border border-line bg-surface px-2 text-xs text-fg placeholder:text-subtle focus:border-accent"
          />
        </>
      }
    >
      {unavailable ? (
        <p className="p-4 text-sm text-muted">The namespaces appear once the store answers.</p>
      ) : pending && !catalog ? (
        <SkeletonRows rows={5} className="p-4" />
      ) : namespaces.length === 0 ? (
        <p className="p-4 text-sm text-muted">
          {total === 0
            ? "No facts in this store yet. Publish some, or run `npm run demo`."
            : `No namespace matches "${filter}".`}
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="namespace-table">
            <thead className="border-b border-line bg-surface-2 text-left text-xs text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Namespace
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Types
                </th>
                {counts && (
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Facts
                  </th>
                )}
                {counts && (
                  <th scope="col" className="px-4 py-2 font-medium">
                    Last fact
                  </th>
                )}
                {counts && (
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Last serial
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {namespaces.map((n) => (
                <tr key={n.ns} className="align-top hover:bg-row-hover">
                  <th
                    scope="row"
                    className="max-w-64 px-4 py-2 text-left font-medium"
                    {...paintTimed(FIRST_ROW.namespace)}
                  >
                    <Link href={namespaceHref(n.ns)} className="break-all text-accent hover:underline">
                      {n.ns}
                    </Link>
                  </th>
                  <td className="px-4 py-2">
                    <div className="flex flex-wrap gap-1">
                      {n.types.slice(0, TYPES_SHOWN).map((t) => (
                        <Link
                          key={t.type}
                          href={factsHref({ namespaces: [n.ns], types: t.type ? [t.type] : [] })}
                          className="inline-flex items-center gap-1 rounded border border-line bg-surface-2 px-1.5 py-0.5 text-xs text-fg hover:border-accent hover:text-accent"
                          title={`Browse ${n.ns} / ${t.type || "(no type)"}`}
                        >
                          <span className="break-all">{t.type || "(no type)"}</span>
                          {counts && <span className="tabular text-subtle">{formatCount(t.factCount)}</span>}
                        </Link>
                      ))}
                      {n.types.length > TYPES_SHOWN && (
                        <Link href={namespaceHref(n.ns)} className="px-1.5 py-0.5 text-xs text-accent hover:underline">
                          +{n.types.length - TYPES_SHOWN} more
                        </Link>
                      )}
                      {n.types.length === 0 && <span className="text-xs text-subtle">—</span>}
                    </div>
                  </td>
                  {counts && <td className="tabular px-4 py-2 text-right">{formatCount(n.factCount)}</td>}
                  {counts && (
                    <td className="whitespace-nowrap px-4 py-2">
                      <Timestamp ms={Number(n.lastPublishedMs)} short className="tabular" />
                      {n.lastPublishedMs > 0n && (
                        <div className="text-xs text-subtle">
                          <Age ms={Number(n.lastPublishedMs)} />
                        </div>
                      )}
                    </td>
                  )}
                  {counts && (
                    <td className="px-4 py-2 text-right">
                      {n.lastSerial > 0n ? (
                        <Link
                          href={factHref(n.lastSerial)}
                          prefetch={false}
                          className="tabular font-mono text-xs text-accent hover:underline"
                        >
                          {formatCount(n.lastSerial)}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
