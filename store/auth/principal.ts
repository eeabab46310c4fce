// Who is calling, as every handler sees it. The gRPC layer authenticates each call and puts its
// principal into the call's context values; handlers ask it what the caller may do, and take the
// account from it whenever something records "who" (registered_by, audit entries, subscriptions).
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { allows, cachedAllows, EVERYTHING, type EffectiveAccess } from "./rules";

export interface Principal {
  /** The authenticated account; OPEN_ACCOUNT when the store runs without an access file. */
  readonly account: string;
  /** How the caller proved it: nothing (open mode), HTTP Basic, or an OIDC bearer token. */
  readonly via: "open" | "basic" | "bearer";
  /** May read facts of `ns`; "*" (a spec over every namespace) only when nothing is excluded. */
  mayRead(ns: string): boolean;
  mayWrite(ns: string): boolean;
  /** May register, replace, delete and import schemas and transformations of `ns`. */
  mayManageSchemas(ns: string): boolean;
  readonly mayReadAudit: boolean;
  /** May read /metrics, see every subscription, and end subscriptions (the "operate" role property). */
  readonly mayOperate: boolean;
  /**
   * The rules behind the answers above, merged over the account's roles (store/auth/rules.ts):
   * what a console shows as the patterns a user may read, write and manage.
   */
  readonly access: EffectiveAccess;
}

/** The account name recorded for calls to a store that runs open (no access file). */
export const OPEN_ACCOUNT = "anonymous";

/** Everything allowed: open mode, and FACTLINE_SECURITY=off. */
export const ALL_ACCESS: EffectiveAccess = Object.freeze({
  roles: [],
  read: EVERYTHING,
  write: EVERYTHING,
  schemas: EVERYTHING,
  audit: true,
  operate: true,
});

/** A principal answering from `access`; each answer per namespace is computed once. */
export function createPrincipal(account: string, via: Principal["via"], access: EffectiveAccess): Principal {
  return Object.freeze({
    account,
    via,
    mayRead: cachedAllows(access.read),
    mayWrite: cachedAllows(access.write),
    mayManageSchemas: (ns: string) => allows(access.schemas, ns),
    mayReadAudit: access.audit,
    mayOperate: access.operate,
    access,
  });
}

/** Open mode: every caller may do everything (allowed only on loopback; see store/auth/security.ts). */
export const OPEN_PRINCIPAL: Principal = createPrincipal(OPEN_ACCOUNT, "open", ALL_ACCESS);

export const PRINCIPAL = createContextKey<Principal>(OPEN_PRINCIPAL, { description: "the caller's principal" });

export function principalOf(ctx: Pick<HandlerContext, "values">): Principal {
  return ctx.values.get(PRINCIPAL);
}
