/** Namespaces → types → versions with counts and last activity (GetCatalog). */
import { useQuery } from "@connectrpc/connect-query";
import { unlessRefused } from "./errors";
import { catalogQuery } from "./queries";

/** Counts move while facts arrive; refresh the overview about as often as the status. */
const CATALOG_POLL_MS = 15_000;

/** The whole catalog, or one namespace of it (`ns`). */
export function useCatalog(ns = "") {
  const q = catalogQuery(ns);
  return useQuery(q.method, q.input, { refetchInterval: unlessRefused(CATALOG_POLL_MS) });
}
