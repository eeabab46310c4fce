// Who is calling, as every handler sees it. The gRPC layer authenticates each call and puts its
// principal into the call's context values; handlers ask it what the caller may do, and take the
// account from it whenever something records "who" (registered_by, audit entries, subscriptions).
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

export interface Principal {
  /** The authenticated account; OPEN_ACCOUNT when the store runs without an access file. */
  readonly account: string;
  /** How the caller proved it: nothing (open mode), HTTP Basic, or an OIDC bearer token. */
  readonly via: "open" | "basic" | "bearer";
  mayRead(ns: string): boolean;
  mayWrite(ns: string): boolean;
  /** May register, replace, delete and import schemas and transformations of `ns`. */
  mayManageSchemas(ns: string): boolean;
  readonly mayReadAudit: boolean;
}

/** The account name recorded for calls to a store that runs open (no access file). */
export const OPEN_ACCOUNT = "anonymous";

/** Open mode: every caller may do everything (allowed only on loopback; see store/config.ts). */
export const OPEN_PRINCIPAL: Principal = Object.freeze({
  account: OPEN_ACCOUNT,
  via: "open",
  mayRead: () => true,
  mayWrite: () => true,
  mayManageSchemas: () => true,
  mayReadAudit: true,
});

export const PRINCIPAL = createContextKey<Principal>(OPEN_PRINCIPAL, { description: "the caller's principal" });

export function principalOf(ctx: Pick<HandlerContext, "values">): Principal {
  return ctx.values.get(PRINCIPAL);
}
