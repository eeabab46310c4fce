"use client";
/**
 * Export of the WHOLE filtered result as NDJSON, streamed by /api/export. Its scope is written
 * next to it, because users of other consoles cannot tell whether "export" means this page or
 * everything (redpanda-data/console#745, dbtrail/dbtrail#1297).
 */
import { buttonClass } from "@/components/ui/Button";
import type { GetCatalogResponse } from "@/gen/factline/console/v1/console_pb";
import { describeFactsQuery, toFactsSearchParams, type FactsQueryParams } from "@/lib/query-params";
import { formatCount } from "@/lib/view/numbers";

/** The export's size when the catalog knows it: only namespaces and types, no other bound. */
export function countFromCatalog(params: FactsQueryParams, catalog?: GetCatalogResponse): bigint | undefined {
  if (!catalog?.countsAvailable) return undefined;
  const other = params.aggIds.length + params.meta.length + params.metaPresent.length + params.metaAbsent.length;
  if (other > 0 || params.fromSerial || params.toSerial || params.fromDate || params.toDate) return undefined;
  let n = 0n;
  for (const ns of catalog.namespaces) {
    if (params.namespaces.length > 0 && !params.namespaces.includes(ns.ns)) continue;
    for (const t of ns.types) if (params.types.length === 0 || params.types.includes(t.type)) n += t.factCount;
  }
  return n;
}

export function exportHref(params: FactsQueryParams): string {
  // order and cursor are not the export's business: it is always the whole range, oldest first.
  const qs = toFactsSearchParams({ ...params, order: "newest", cursor: undefined }).toString();
  return qs ? `/api/export?${qs}` : "/api/export";
}

/**
 * "all 1,234 facts matching namespace users", the sentence the export button stands for. `readable`:
 * the namespaces "all namespaces" stands for when the user may not read every one (lib/view/access.ts).
 */
export function exportScope(params: FactsQueryParams, catalog?: GetCatalogResponse, readable?: string[]): string {
  const count = countFromCatalog(params, catalog);
  const what = readable
    ? describeFactsQuery(params).replace("all namespaces", `the namespaces you may read (${readable.join(", ")})`)
    : describeFactsQuery(params);
  return `${count === undefined ? "all" : `all ${formatCount(count)}`} facts matching ${what}`;
}

interface ExportProps {
  params: FactsQueryParams;
  catalog?: GetCatalogResponse;
  /** The readable namespaces, when "all namespaces" means fewer for this user. */
  scope?: string[];
}

export function ExportButton({ params, catalog, scope: readable }: ExportProps) {
  const scope = exportScope(params, catalog, readable);
  return (
    <a
      href={exportHref(params)}
      download
      className={buttonClass("secondary", "sm")}
      title={`Downloads ${scope}, oldest first, as NDJSON (one {"header","payload"} per line): the whole filtered result, not just the rows loaded here.`}
      data-testid="export-link"
    >
      ↓ Export NDJSON
    </a>
  );
}

/** The export's scope in words, shown under the toolbar so nobody has to guess. */
export function ExportScope({ params, catalog, scope }: ExportProps) {
  return (
    <p className="text-xs text-subtle" data-testid="export-scope">
      Export downloads {exportScope(params, catalog, scope)}, oldest first, as NDJSON: the whole filtered result, not
      just the rows loaded below.
    </p>
  );
}
