// Recording what the store does on someone's behalf. Handlers that change something call
// `audited(…)` around the change (or `recordAudit(…)` once it is done): the entry takes who from
// the call's principal (store/auth/principal.ts), the connection's address (store/grpc/peer.ts)
// and the client's own name, and what, why and how it ended from the handler.
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import { principalOf } from "../auth/principal";
import {
  ConflictError,
  DuplicateFactError,
  FactValidationError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
} from "../errors";
import { callerAddressOf } from "../grpc/peer";
import { log } from "../log";
import { appendAudit, type AuditOutcome } from "../storage/audit";
import type { Db } from "../storage/db";

/** What happened, in the words of the handler that did it. */
export interface AuditEvent {
  /** `<area>.<verb>`: schema.register, schema.replace, transformation.register, subscription.end … */
  action: string;
  ns?: string;
  /** What inside the namespace, e.g. "OrderPlaced v3". */
  subject?: string;
  /** The caller's reason, when the change needs one (a forced replacement). */
  reason?: string;
  /** The store's own words: what an import did, why something was refused. */
  detail?: string;
  outcome?: AuditOutcome;
}

/** The header by which a client that acts for someone else (the console) names their address. */
export const FORWARDED_FOR_HEADER = "x-forwarded-for";

/** Set once a call's failure is in the trail, so the refusal listener does not record it twice. */
export const FAILURE_AUDITED = createContextKey(false, { description: "the call's failure is audited" });

type CallContext = Pick<HandlerContext, "values" | "requestHeader">;

/**
 * Appends one entry for this call. A failure to write it is logged with the whole entry (the
 * store's log is then the record) and does not undo or fail the change it describes.
 */
export async function recordAudit(db: Db, ctx: CallContext, event: AuditEvent): Promise<void> {
  const principal = principalOf(ctx);
  const entry = {
    account: principal.account,
    via: principal.via,
    outcome: event.outcome ?? "ok",
    action: event.action,
    ns: event.ns,
    subject: event.subject,
    reason: event.reason,
    detail: event.detail,
    address: callerAddressOf(ctx),
    forwardedFor: ctx.requestHeader.get(FORWARDED_FOR_HEADER) ?? "",
    client: ctx.requestHeader.get("fc-id") ?? "",
  };
  try {
    await appendAudit(db, entry);
  } catch (err) {
    log.error("an audit entry could not be written", { ...entry, error: (err as Error).message });
  }
}

/**
 * Runs a change and records how it ended: `ok` (with what `onOk` adds from its result; null when
 * the result shows nothing changed), or the refusal or failure, which is then thrown on as it was.
 */
export async function audited<T>(
  db: Db,
  ctx: CallContext,
  event: AuditEvent,
  change: () => Promise<T>,
  onOk?: (result: T) => Partial<AuditEvent> | null,
): Promise<T> {
  let result: T;
  try {
    result = await change();
  } catch (err) {
    await recordAudit(db, ctx, { ...event, outcome: outcomeOf(err), detail: (err as Error)?.message ?? String(err) });
    ctx.values.set(FAILURE_AUDITED, true);
    throw err;
  }
  const more = onOk ? onOk(result) : {};
  if (more) await recordAudit(db, ctx, { ...event, ...more });
  return result;
}

/** How a failed change is recorded: refused for who asked, refused for what was asked, or broken. */
export function outcomeOf(err: unknown): AuditOutcome {
  if (err instanceof ConnectError) {
    if (err.code === Code.PermissionDenied) return "denied";
    if (err.code === Code.Unauthenticated) return "unauthenticated";
    if (CALLER_MISTAKES.has(err.code)) return "rejected";
    return "failed";
  }
  if (err instanceof PermissionDeniedError) return "denied";
  if (
    err instanceof InvalidInputError ||
    err instanceof ConflictError ||
    err instanceof NotFoundError ||
    err instanceof FactValidationError ||
    err instanceof DuplicateFactError
  )
    return "rejected";
  return "failed";
}

const CALLER_MISTAKES = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.FailedPrecondition,
  Code.OutOfRange,
]);
