// Who a console call is made for: the API handler (lib/backend/routes/api-handler.ts) puts the
// caller's upstream — the store as the signed-in user, or the console's own in
// FACTLINE_CONSOLE_AUTH=none — into each call's context, and the services take it from there.
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Upstream } from "./upstream";

export const CALLER_UPSTREAM = createContextKey<Upstream | undefined>(undefined, {
  description: "the store, as the caller of this console call",
});

/** A service's store: a fixed one (tests), one per call, or by default the caller's from the context. */
export type UpstreamSource = Upstream | ((ctx: Pick<HandlerContext, "values">) => Upstream);

/** The caller's upstream; a call that reached a service without one is refused, never served as someone else. */
export function callerUpstream(ctx: Pick<HandlerContext, "values">): Upstream {
  const upstream = ctx.values.get(CALLER_UPSTREAM);
  if (!upstream) throw new ConnectError("not signed in: sign in at /login", Code.Unauthenticated);
  return upstream;
}

/** `source` as a function of the call. */
export function upstreamResolver(
  source: UpstreamSource | undefined,
): (ctx: Pick<HandlerContext, "values">) => Upstream {
  if (source === undefined) return callerUpstream;
  return typeof source === "function" ? source : () => source;
}
