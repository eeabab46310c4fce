/** Namespaces → types → versions with counts and last activity (GetCatalog). */
import { useQuery } from "@connectrpc/connect-query";
import { ConsoleService } from "../../gen/factline/console/v1/console_pb";

/** Counts move while facts arrive; refresh the overview about as often as the status. */
const CATALOG_POLL_MS = 15_000;

/** The whole catalog, or one namespace of it (`ns`). */
export function useCatalog(ns = "") {
  return useQuery(ConsoleService.method.getCatalog, { ns }, { refetchInterval: CATALOG_POLL_MS });
}
