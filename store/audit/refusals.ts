// Every call the store refuses because of who is calling — a wrong password, an unknown account,
// a token it does not accept, a namespace the account may not read — goes into the audit trail,
// whichever service refused it. Handlers that audit their own changes (store/audit/record.ts)
// have recorded theirs already; the rest are recorded here, from the gRPC layer's listener.
import { Code } from "@connectrpc/connect";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { principalOf } from "../auth/principal";
import { PermissionDeniedError } from "../errors";
import type { RefusedCall } from "../grpc/service";
import { log } from "../log";
import { appendAudit } from "../storage/audit";
import type { Db } from "../storage/db";
import { FAILURE_AUDITED, FORWARDED_FOR_HEADER } from "./record";

/**
 * Refusals recorded one by one, per remote address and minute. A client retrying with a wrong
 * password in a loop must not turn the audit table into its log: past this, refusals from that
 * address are counted, and the next entry it gets says how many were left out.
 */
export const REFUSALS_PER_ADDRESS_PER_MINUTE = 60;

/** The console's sign-in (store/protocol/access-service.ts): a refusal there is a failed sign-in. */
export const SIGN_IN_PATH = "/factline.admin.v1.AccessService/SignIn";

// Addresses with refusals left out are remembered until their next entry; a flood from many
// addresses forgets the counts rather than grow without bound.
const MAX_COUNTED_ADDRESSES = 10_000;

/** The listener for GrpcRoutes.onRefusal. */
export function refusalRecorder(db: Db): (call: RefusedCall) => void {
  const limiter = new RateLimiterMemory({ points: REFUSALS_PER_ADDRESS_PER_MINUTE, duration: 60 });
  const leftOut = new Map<string, number>();

  async function record(call: RefusedCall): Promise<void> {
    if (call.context?.values.get(FAILURE_AUDITED)) return;
    const { address } = call;
    try {
      await limiter.consume(address || "unknown");
    } catch {
      if (leftOut.size >= MAX_COUNTED_ADDRESSES) leftOut.clear();
      const count = (leftOut.get(address) ?? 0) + 1;
      leftOut.set(address, count);
      if (count === 1) log.warn("refusals from this address are too many to audit one by one", { address });
      return;
    }
    const skipped = leftOut.get(address);
    leftOut.delete(address);
    const unauthenticated = call.error.code === Code.Unauthenticated;
    const entry = {
      ...claimedIdentity(call),
      action: call.path === SIGN_IN_PATH ? "console.sign-in" : unauthenticated ? "auth.failed" : "access.denied",
      outcome: unauthenticated ? ("unauthenticated" as const) : ("denied" as const),
      ns: call.error.cause instanceof PermissionDeniedError ? call.error.cause.ns : undefined,
      subject: call.path.replace(/^\/(factline\.admin\.v1\.|org\.factcast\.grpc\.api\.gen\.)?/, ""),
      detail:
        call.error.rawMessage +
        (skipped ? ` (${skipped} more refusals from this address in the last minute are not listed)` : ""),
      address,
      forwardedFor: call.requestHeader.get(FORWARDED_FOR_HEADER) ?? "",
      client: call.requestHeader.get("fc-id") ?? "",
    };
    try {
      await appendAudit(db, entry);
    } catch (err) {
      log.error("an audit entry could not be written", { ...entry, error: (err as Error).message });
    }
  }

  return (call) => void record(call);
}

/**
 * Who the refused caller is, or says it is: the principal when it was authenticated (and then
 * denied), else the user name of its Basic credentials. A token it did not accept names nobody.
 */
function claimedIdentity(call: RefusedCall): { account: string; via: string } {
  if (call.error.code === Code.PermissionDenied && call.context) {
    const principal = principalOf(call.context);
    return { account: principal.account, via: principal.via };
  }
  return call.claim;
}
