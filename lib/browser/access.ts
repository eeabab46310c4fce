/** What the signed-in user may do, as the store decides it (AccessService through the console backend). */
import { useQuery } from "@connectrpc/connect-query";
import { useMemo } from "react";
import { AccessService } from "../../gen/factline/console/v1/access_pb";

/**
 * Permissions change only when an operator edits the access file (or a token is refreshed), and
 * the store decides every call anyway: a minute old is fresh enough for what the pages offer.
 */
const ACCESS_STALE_MS = 60_000;

/**
 * The user's access; `namespaces` are judged besides those the user may use (a page about a
 * namespace passes it, to say "you cannot read X"). One cache entry per set of names.
 */
export function useAccess(namespaces: readonly string[] = []) {
  const asked = useMemo(() => [...new Set(namespaces.filter((n) => n.trim() !== ""))].sort(), [namespaces]);
  return useQuery(AccessService.method.getAccess, { namespaces: asked }, { staleTime: ACCESS_STALE_MS });
}
