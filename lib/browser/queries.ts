/**
 * What the pages' first views ask the console backend, as plain data (no React): the data hooks
 * (catalog.ts, facts.ts, store-status.ts) and the server's prefetch (lib/backend/routes/prefetch.ts) both
 * build their requests here, so a query the server answered is found in the browser's cache under
 * the very key the hook looks for.
 */
import type { DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { createConnectQueryKey } from "@connectrpc/connect-query-core";
import type { QueryKey } from "@tanstack/react-query";
import { ConsoleService, Order, type GetFactRequestSchema } from "../../gen/factline/console/v1/console_pb";
import { createConsoleTransport } from "./transport";

/** One unary console call: the method and its input, exactly as the hook passes them to useQuery. */
export interface ConsoleQuery<M extends DescMethodUnary = DescMethodUnary> {
  method: M;
  input: MessageInitShape<M["input"]>;
}

/** A namespace page lists this many recent facts: enough to see what happens there; /facts shows the rest. */
export const RECENT_FACTS = 25;

/** Identity, reachability and latest serial of the store (the header and the overview). */
export function storeStatusQuery(): ConsoleQuery<typeof ConsoleService.method.getStoreStatus> {
  return { method: ConsoleService.method.getStoreStatus, input: {} };
}

/** The whole catalog, or one namespace of it (`ns`). */
export function catalogQuery(ns = ""): ConsoleQuery<typeof ConsoleService.method.getCatalog> {
  return { method: ConsoleService.method.getCatalog, input: { ns } };
}

/** The newest facts of a namespace. */
export function recentFactsQuery(
  ns: string,
  limit = RECENT_FACTS,
): ConsoleQuery<typeof ConsoleService.method.queryFacts> {
  return {
    method: ConsoleService.method.queryFacts,
    input: { query: { filters: [{ ns }] }, order: Order.NEWEST_FIRST, limit },
  };
}

/** One whole fact by serial or id. */
export function factQuery(
  key: { serial: bigint } | { id: string },
): ConsoleQuery<typeof ConsoleService.method.getFact> {
  const input: MessageInitShape<typeof GetFactRequestSchema> =
    "serial" in key ? { key: { case: "serial", value: key.serial } } : { key: { case: "id", value: key.id } };
  return { method: ConsoleService.method.getFact, input };
}

/**
 * The TanStack Query key useQuery (connect-query) files `q` under in the browser. The transport is
 * part of that key; the console's carries a fixed name (transport.ts), so a transport made here
 * yields the browser's key.
 */
export function consoleQueryKey(q: ConsoleQuery): QueryKey {
  return createConnectQueryKey({
    schema: q.method,
    input: q.input,
    transport: createConsoleTransport(),
    cardinality: "finite",
  });
}
