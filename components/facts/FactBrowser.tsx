"use client";
/**
 * `/facts?…`: the filter form, and the result for the query in the URL. The URL is read here and
 * nowhere else; an invalid one shows what is wrong with which parameter instead of a result.
 */
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { Notice } from "@/components/ui/Notice";
import { PageTitle } from "@/components/ui/PageTitle";
import { parseFactsSearchParams, type FactsQueryParams } from "@/lib/query-params";
import { factsHref } from "@/lib/view/links";
import { FactResults } from "./FactResults";
import { FilterForm } from "./FilterForm";
import type { QuickFilter } from "./FactTableRow";

/** The query with one quick filter from a table row added (and the position reset). */
export function withQuickFilter(params: FactsQueryParams, f: QuickFilter): FactsQueryParams {
  const next = { ...params, cursor: undefined };
  switch (f.kind) {
    case "aggId":
      return { ...next, aggIds: params.aggIds.includes(f.value) ? params.aggIds : [...params.aggIds, f.value] };
    case "meta":
      // A FactSpec holds one value per meta key: the clicked value replaces an earlier one.
      return { ...next, meta: [...params.meta.filter(([k]) => k !== f.key), [f.key, f.value]] };
    case "ns":
      return { ...next, namespaces: [f.value] };
    case "type":
      return { ...next, types: [f.value] };
  }
}

export function FactBrowser() {
  const search = useSearchParams();
  const router = useRouter();
  const searchText = search.toString();
  const parsed = useMemo(() => parseFactsSearchParams(searchText), [searchText]);
  const params = parsed.ok ? parsed.params : undefined;

  const onQuickFilter = useCallback(
    (f: QuickFilter) => params && router.push(factsHref(withQuickFilter(params, f))),
    [params, router],
  );

  return (
    // The page is exactly one screen high so the table, not the page, scrolls (sticky header,
    // keyboard paging); 5rem is the app header plus the main area's padding.
    <div className="flex min-h-[40rem] flex-col gap-3 lg:h-[calc(100dvh-5rem)]">
      <PageTitle
        title="Facts"
        subtitle="Filter, page through and export the facts in the store. The URL holds the whole query: copy it to share it."
      />
      {/* Keyed by the URL: back/forward or a quick filter resets the form to what the URL says. */}
      <FilterForm key={searchText} search={searchText} />
      {parsed.ok ? (
        <FactResults params={params!} onQuickFilter={onQuickFilter} />
      ) : (
        <Notice tone="danger" title="This URL does not describe a valid query">
          <ul className="list-disc space-y-0.5 pl-5" data-testid="query-errors">
            {parsed.errors.map((e) => (
              <li key={`${e.param}:${e.message}`}>{e.message}</li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}
