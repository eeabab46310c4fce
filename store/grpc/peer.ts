// Where a call came from, as handlers see it: the remote address of its connection. The audit
// trail records it beside the account (store/audit/).
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

export const CALLER_ADDRESS = createContextKey<string>("", { description: "the remote address of the call" });

export function callerAddressOf(ctx: Pick<HandlerContext, "values">): string {
  return ctx.values.get(CALLER_ADDRESS);
}
