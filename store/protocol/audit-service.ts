import { AuditService } from "../../gen/factline/admin/v1/audit_pb";
import { requireAudit } from "../auth/permissions";
import { principalOf } from "../auth/principal";
import { InvalidInputError } from "../errors";
import type { ServiceHandlers } from "../grpc/service";
import { auditPage } from "../storage/audit";
import type { StoreRuntime } from "../store";
import { guarded } from "./errors";

// A page is read into memory whole; 1,000 entries of a few hundred bytes each stay well under a megabyte.
const MAX_PAGE = 1_000;
const DEFAULT_PAGE = 100;

/** The audit trail over gRPC, for accounts with the audit permission. */
export function createAuditService(store: StoreRuntime): ServiceHandlers<typeof AuditService> {
  return guarded("AuditService", {
    async listAuditEntries(req, ctx) {
      requireAudit(principalOf(ctx));
      const limit = req.limit === 0 ? DEFAULT_PAGE : req.limit;
      if (limit < 1 || limit > MAX_PAGE)
        throw new InvalidInputError(`limit must be from 1 to ${MAX_PAGE}, got ${req.limit}`);
      if (req.fromMs < 0n || req.toMs < 0n || req.beforeId < 0n || req.afterId < 0n)
        throw new InvalidInputError("from_ms, to_ms, before_id and after_id must not be negative");
      if (req.beforeId > 0n && req.afterId > 0n)
        throw new InvalidInputError("give before_id (older entries) or after_id (newer entries), not both");
      if (req.fromMs > 0n && req.toMs > 0n && req.toMs <= req.fromMs)
        throw new InvalidInputError("to_ms must be later than from_ms");
      const { entries, hasMore } = await auditPage(store.db.lookups, {
        account: req.account || undefined,
        action: req.action || undefined,
        ns: req.ns || undefined,
        fromMs: req.fromMs > 0n ? Number(req.fromMs) : undefined,
        toMs: req.toMs > 0n ? Number(req.toMs) : undefined,
        beforeId: req.beforeId > 0n ? req.beforeId : undefined,
        afterId: req.afterId > 0n ? req.afterId : undefined,
        limit,
      });
      return {
        hasMore,
        entries: entries.map((e) => ({ ...e, atMs: BigInt(e.atMs), ns: e.ns ?? "" })),
      };
    },
  });
}
