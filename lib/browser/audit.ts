/** One page of the audit log (AuditService through the console backend), as the /audit URL says. */
import { useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { AuditService } from "../../gen/factline/console/v1/access_pb";
import type { AuditParams } from "../audit-params";

/** The newest page follows what happens, about as often as the header's status; older pages never change. */
const NEWEST_PAGE_POLL_MS = 10_000;

export function useAuditPage(params: AuditParams, enabled: boolean) {
  const atTop = params.before === undefined && params.after === undefined;
  return useQuery(
    AuditService.method.listAuditEntries,
    enabled
      ? {
          ...params.filter,
          beforeId: params.before ?? 0n,
          afterId: params.after ?? 0n,
          limit: params.limit,
        }
      : undefined,
    {
      refetchInterval: atTop ? NEWEST_PAGE_POLL_MS : false,
      // An entry never changes once written: only the newest page can grow.
      staleTime: atTop ? 5_000 : Infinity,
      // Paging keeps the rows on screen until the next page is there.
      placeholderData: keepPreviousData,
    },
  );
}
