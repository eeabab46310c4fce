/**
 * The console's view of a fact: the one place where wire messages (gen/…/console_pb) become what
 * components render, so a proto change touches this file and not every component.
 */
import type { Fact, GetFactResponse, QueryFactsResponse } from "../../gen/factline/console/v1/console_pb";

export interface FactRow {
  serial: bigint;
  id: string;
  ns: string;
  /** "" when the fact has no type. */
  type: string;
  version: number;
  aggIds: string[];
  /** header.meta without the store's _ser/_ts; a string value is a list of one. Sorted by key. */
  meta: [key: string, values: string[]][];
  publishedMs: number;
  /** The payload, or its beginning when `payloadTruncated` (list pages carry previews only). */
  payloadJson: string;
  payloadTruncated: boolean;
  payloadBytes: number;
  headerJson: string;
}

export function toFactRow(f: Fact): FactRow {
  return {
    serial: f.serial,
    id: f.id,
    ns: f.ns,
    type: f.type,
    version: f.version,
    aggIds: f.aggIds,
    meta: Object.entries(f.meta)
      .map(([k, v]): [string, string[]] => [k, v.values])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    publishedMs: Number(f.publishedMs),
    payloadJson: f.payloadJson,
    payloadTruncated: f.payloadTruncated,
    payloadBytes: Number(f.payloadBytes),
    headerJson: f.headerJson,
  };
}

/** One page of a fact query, as the browser table consumes it. */
export interface FactPage {
  rows: FactRow[];
  hasMore: boolean;
  nextCursor: bigint;
  strategy: string;
  resolvedFromSerial: bigint;
  resolvedToSerial: bigint;
  notices: string[];
}

/** `reversed`: the page was read in the opposite order (loading newer rows above the list). */
export function toFactPage(res: QueryFactsResponse, reversed = false): FactPage {
  const rows = res.facts.map(toFactRow);
  if (reversed) rows.reverse();
  return {
    rows,
    hasMore: res.hasMore,
    nextCursor: res.nextCursor,
    strategy: res.strategy,
    resolvedFromSerial: res.resolvedFromSerial,
    resolvedToSerial: res.resolvedToSerial,
    notices: res.notices,
  };
}

export interface FactDetail {
  fact: FactRow;
  previousSerial: bigint;
  nextSerial: bigint;
  aggregateHistory: FactRow[];
  aggregateHistoryTruncated: boolean;
}

export function toFactDetail(res: GetFactResponse): FactDetail | undefined {
  if (!res.fact) return undefined;
  return {
    fact: toFactRow(res.fact),
    previousSerial: res.previousSerial,
    nextSerial: res.nextSerial,
    aggregateHistory: res.aggregateHistory.map(toFactRow),
    aggregateHistoryTruncated: res.aggregateHistoryTruncated,
  };
}

/** "users / UserCreated v2", the way a fact's kind is named in titles. */
export function kindOf(f: Pick<FactRow, "ns" | "type" | "version">): string {
  return `${f.ns} / ${f.type || "(no type)"}${f.version ? ` v${f.version}` : ""}`;
}

/** Meta keys starting with "_" belong to the store or the client library, not to the user. */
export function userMeta(meta: FactRow["meta"]): FactRow["meta"] {
  return meta.filter(([k]) => !k.startsWith("_"));
}
