/** Links between console pages, built through lib/query-params so every link is a valid query. */
import { emptyFactsQuery, toFactsSearchParams, type FactsQueryParams } from "../query-params";

/** /facts?… for a query given in part (the rest empty / defaults). */
export function factsHref(partial: Partial<FactsQueryParams> = {}): string {
  const qs = toFactsSearchParams({ ...emptyFactsQuery(), ...partial }).toString();
  return qs ? `/facts?${qs}` : "/facts";
}

/** A fact's page; with `asVersion`, showing it as that version of its type (as a list "as version N" shows it). */
export function factHref(serial: bigint | number | string, asVersion?: number): string {
  return asVersion ? `/facts/${serial}?asVersion=${asVersion}` : `/facts/${serial}`;
}

export function namespaceHref(ns: string): string {
  return `/namespaces/${encodeURIComponent(ns)}`;
}
