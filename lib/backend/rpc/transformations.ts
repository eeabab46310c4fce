// TransformationService: the console's pass-through to the store's transformations, as
// SchemaService is to its schema registry (rpc/schemas.ts says why the browser never calls the
// store's admin services itself). Only the errors are turned into words.
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { TransformationService } from "../../../gen/factline/console/v1/transformations_pb";
import { consoleError, toConsoleError } from "../upstream/errors";
import { upstreamResolver, type UpstreamSource } from "../upstream/caller";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";

/** What a user sees when the store keeps no transformations. */
export const NO_TRANSFORMATIONS_MESSAGE =
  "this store has no transformations (factline admin services are off, or it is a plain FactCast server)";

/**
 * A check runs the candidate over up to a thousand stored facts in the store's sandbox; with a
 * script near its time limit per fact that takes longer than a lookup. A check that outlives this
 * is better told as "took too long" than left spinning.
 */
export const CHECK_TIMEOUT_MS = 60_000;

export interface TransformationServiceOptions {
  /** The store to talk to; default the caller's, from the call's context (lib/backend/upstream/caller.ts). */
  upstream?: UpstreamSource;
}

/** TransformationService for a Connect router. */
export function createTransformationService(
  options: TransformationServiceOptions = {},
): ServiceImpl<typeof TransformationService> {
  // Resolved per call, not at import: building the app must not dial the store.
  const upstream = upstreamResolver(options.upstream);

  function pass<I, O>(rpc: string, call: (up: Upstream, req: I, signal: AbortSignal) => Promise<O>) {
    return async (req: I, ctx: Pick<HandlerContext, "signal" | "values">): Promise<O> => {
      const up = upstream(ctx);
      try {
        return await call(up, req, ctx.signal);
      } catch (err) {
        throw toTransformationError(err, up.url, rpc);
      }
    };
  }
  const unary = (signal: AbortSignal) => ({ signal, timeoutMs: UNARY_TIMEOUT_MS });

  return {
    listTransformations: pass("ListTransformations", (up, req, signal) =>
      up.transformations.listTransformations(req, unary(signal)),
    ),
    getTransformation: pass("GetTransformation", (up, req, signal) =>
      up.transformations.getTransformation(req, unary(signal)),
    ),
    checkTransformation: pass("CheckTransformation", (up, req, signal) =>
      up.transformations.checkTransformation(req, { signal, timeoutMs: CHECK_TIMEOUT_MS }),
    ),
    registerTransformation: pass("RegisterTransformation", (up, req, signal) =>
      up.transformations.registerTransformation(req, unary(signal)),
    ),
    deleteTransformation: pass("DeleteTransformation", (up, req, signal) =>
      up.transformations.deleteTransformation(req, unary(signal)),
    ),
    transformFact: pass("TransformFact", (up, req, signal) => up.transformations.transformFact(req, unary(signal))),
  };
}

/** A store without the service answers UNIMPLEMENTED: a fact about the store, not a bug. */
function toTransformationError(err: unknown, url: string, rpc: string): ConnectError {
  if (err instanceof ConnectError && err.code === Code.Unimplemented) {
    return consoleError(NO_TRANSFORMATIONS_MESSAGE, Code.FailedPrecondition);
  }
  return toConsoleError(err, url, rpc);
}
