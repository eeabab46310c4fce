// The console's AccessService and AuditService: the store's answers passed through with the user's
// own identity. The console adds nothing to what the store decides; it only says, against a store
// that has no access RPC, that the store decides per call.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { ListAuditEntriesRequest, ListAuditEntriesRequestSchema } from "../../../gen/factline/admin/v1/audit_pb";
import {
  AccessService,
  AuditService,
  GetAccessResponseSchema,
  type GetAccessRequest,
} from "../../../gen/factline/console/v1/access_pb";
import { isUnimplemented } from "../upstream/capabilities";
import { consoleError, toConsoleError } from "../upstream/errors";
import { upstreamResolver, type UpstreamSource } from "../upstream/caller";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";

/** What the console says when the store cannot tell what the user may do. */
export const ACCESS_UNKNOWN =
  "This store does not say what your account may do (a plain FactCast server, or factline with its admin services off): " +
  "the console shows everything it is given, and the store decides on each call.";

/** What a user sees when the store keeps no audit trail the console can read. */
export const NO_AUDIT_TRAIL =
  "this store has no audit trail (a plain FactCast server, or factline with its admin services off)";

export interface AccessServiceOptions {
  /** The store to talk to; default the caller's, from the call's context (lib/backend/upstream/caller.ts). */
  upstream?: UpstreamSource;
}

/** The user's access: the store's GetAccess, or "unknown" against a store without it. */
export async function getAccess(upstream: Upstream, req: GetAccessRequest, signal?: AbortSignal) {
  try {
    const access = await upstream.access.getAccess(
      { namespaces: req.namespaces },
      { timeoutMs: UNARY_TIMEOUT_MS, signal },
    );
    return create(GetAccessResponseSchema, { known: true, access });
  } catch (err) {
    if (isUnimplemented(err)) return create(GetAccessResponseSchema, { known: false, unknownReason: ACCESS_UNKNOWN });
    throw err;
  }
}

/** One page of the audit trail, as the store answers it for this user. */
export async function listAuditEntries(
  upstream: Upstream,
  req: MessageInitShape<typeof ListAuditEntriesRequestSchema>,
  signal?: AbortSignal,
) {
  try {
    return await upstream.audit.listAuditEntries(req, { timeoutMs: UNARY_TIMEOUT_MS, signal });
  } catch (err) {
    if (isUnimplemented(err)) throw consoleError(NO_AUDIT_TRAIL, Code.FailedPrecondition);
    throw err;
  }
}

/** AccessService for a Connect router. */
export function createAccessService(options: AccessServiceOptions = {}): ServiceImpl<typeof AccessService> {
  const upstream = upstreamResolver(options.upstream);
  return {
    async getAccess(req: GetAccessRequest, ctx: HandlerContext) {
      const up = upstream(ctx);
      try {
        return await getAccess(up, req, ctx.signal);
      } catch (err) {
        throw toConsoleError(err, up.url, "GetAccess");
      }
    },
  };
}

/** AuditService for a Connect router. */
export function createAuditService(options: AccessServiceOptions = {}): ServiceImpl<typeof AuditService> {
  const upstream = upstreamResolver(options.upstream);
  return {
    async listAuditEntries(req: ListAuditEntriesRequest, ctx: HandlerContext) {
      const up = upstream(ctx);
      try {
        return await listAuditEntries(up, req, ctx.signal);
      } catch (err) {
        throw toConsoleError(err, up.url, "ListAuditEntries");
      }
    },
  };
}
