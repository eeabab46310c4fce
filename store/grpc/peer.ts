// Where a call came from and who it says it is, as the wire shows it: the remote address of its
// connection, and the account its credentials name before they are checked. The audit trail
// records both (store/audit/), the claim only for calls the store refused.
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

export const CALLER_ADDRESS = createContextKey<string>("", { description: "the remote address of the call" });

export function callerAddressOf(ctx: Pick<HandlerContext, "values">): string {
  return ctx.values.get(CALLER_ADDRESS);
}

// null: not set by the gRPC layer (a context made elsewhere); the request's metadata is asked then.
export const CLIENT_ID = createContextKey<string | undefined | null>(null, {
  description: "the call's fc-id header: the client's name for itself",
});

/**
 * The client's name for itself (FactCast's fc-id header), undefined when it sent none. Read from the
 * raw headers the gRPC layer kept, so a publish never makes the request's metadata Headers for it.
 */
export function clientIdOf(ctx: Pick<HandlerContext, "values" | "requestHeader">): string | undefined {
  const kept = ctx.values.get(CLIENT_ID);
  return kept === null ? (ctx.requestHeader.get("fc-id") ?? undefined) : kept;
}

/** Who unchecked credentials claim to be: Basic's user name ("" for a bearer token or none). */
export interface Claim {
  account: string;
  via: "basic" | "bearer" | "none";
}

// A user name longer than this is no account's; the audit entry keeps only this much of it.
const MAX_CLAIMED_NAME = 200;

/** The claim of an `authorization` header; never returns or keeps the password. */
export function claimOf(authorization: string | undefined): Claim {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (basic) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return { account: (colon < 0 ? "" : decoded.slice(0, colon)).slice(0, MAX_CLAIMED_NAME), via: "basic" };
  }
  return { account: "", via: /^Bearer\s/i.test(authorization ?? "") ? "bearer" : "none" };
}
