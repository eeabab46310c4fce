/** Links between console pages, built through lib/query-params so every link is a valid query. */
import { emptyFactsQuery, toFactsSearchParams, type FactsQueryParams } from "../query-params";

/** /facts?… for a query given in part (the rest empty / defaults). */
export function factsHref(partial: Partial<FactsQueryParams> = {}): string {
  const qs = toFactsSearchParams({ ...emptyFactsQuery(), ...partial }).toString();
  return qs ? `/facts?${qs}` : "/facts";
}

export function factHref(serial: bigint | number | string): string {
  return `/facts/${serial}`;
}

export function namespaceHref(ns: string): string {
  return `/namespaces/${encodeURIComponent(ns)}`;
}
