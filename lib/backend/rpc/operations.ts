// The console's OperationsService: the store's instances and subscriptions, and ending a
// subscription, passed through as the signed-in user. The store decides what the user sees (the
// subscriptions of namespaces they may read, or all with "operate") and whether they may end one;
// the console only says, against a store without the service, that it reports none of this.
import { create } from "@bufbuild/protobuf";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  ListInstancesResponseSchema,
  ListSubscriptionsResponseSchema,
  OperationsService,
} from "../../../gen/factline/console/v1/operations_pb";
import { isUnimplemented } from "../upstream/capabilities";
import { consoleError, toConsoleError } from "../upstream/errors";
import { upstreamResolver, type UpstreamSource } from "../upstream/caller";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";

/** What the pages say when the store keeps no registry of its instances and subscriptions. */
export const NOT_REPORTED =
  "This store does not report its instances and subscriptions (a plain FactCast server, or factline with its admin services off).";

export interface OperationsServiceOptions {
  /** The store to talk to; default the caller's, from the call's context (lib/backend/upstream/caller.ts). */
  upstream?: UpstreamSource;
}

/** OperationsService for a Connect router. */
export function createOperationsService(options: OperationsServiceOptions = {}): ServiceImpl<typeof OperationsService> {
  // Resolved per call, not at import: building the app must not dial the store.
  const upstream = upstreamResolver(options.upstream);

  function pass<I, O>(rpc: string, call: (up: Upstream, req: I, signal: AbortSignal) => Promise<O>) {
    return async (req: I, ctx: Pick<HandlerContext, "signal" | "values">): Promise<O> => {
      const up = upstream(ctx);
      try {
        return await call(up, req, ctx.signal);
      } catch (err) {
        throw toConsoleError(err, up.url, rpc);
      }
    };
  }
  const unary = (signal: AbortSignal) => ({ signal, timeoutMs: UNARY_TIMEOUT_MS });

  return {
    listInstances: pass("ListInstances", async (up, req, signal) => {
      try {
        const answer = await up.operations.listInstances(req, unary(signal));
        return create(ListInstancesResponseSchema, { reported: true, answer });
      } catch (err) {
        if (isUnimplemented(err))
          return create(ListInstancesResponseSchema, { reported: false, unreportedReason: NOT_REPORTED });
        throw err;
      }
    }),
    listSubscriptions: pass("ListSubscriptions", async (up, req, signal) => {
      try {
        const answer = await up.operations.listSubscriptions(req, unary(signal));
        return create(ListSubscriptionsResponseSchema, { reported: true, answer });
      } catch (err) {
        if (isUnimplemented(err))
          return create(ListSubscriptionsResponseSchema, { reported: false, unreportedReason: NOT_REPORTED });
        throw err;
      }
    }),
    endSubscription: pass("EndSubscription", async (up, req, signal) => {
      try {
        return await up.operations.endSubscription(req, unary(signal));
      } catch (err) {
        if (isUnimplemented(err)) throw consoleError(`${NOT_REPORTED} It cannot end one.`, Code.FailedPrecondition);
        throw err;
      }
    }),
  };
}
