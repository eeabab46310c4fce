// SchemaService: the console's pass-through to the store's schema registry. The browser must not
// reach the store's admin services itself (they carry the store's credentials), so each call goes
// through here unchanged, and only the errors are turned into something a user can act on.
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { SchemaService } from "../../../gen/factline/console/v1/schemas_pb";
import { consoleError, toConsoleError } from "../upstream/errors";
import { upstreamResolver, type UpstreamSource } from "../upstream/caller";
import type { Upstream } from "../upstream/upstream";

/** What a user sees when the store has no registry to talk to. */
export const NO_REGISTRY_MESSAGE =
  "this store has no schema registry (factline admin services are off, or it is a plain FactCast server)";

export interface SchemaServiceOptions {
  /** The store to talk to; default the caller's, from the call's context (lib/backend/upstream/caller.ts). */
  upstream?: UpstreamSource;
}

/** SchemaService for a Connect router (`router.service(SchemaService, createSchemaService())`). */
export function createSchemaService(options: SchemaServiceOptions = {}): ServiceImpl<typeof SchemaService> {
  // Resolved per call, not at import: building the app must not dial the store.
  const upstream = upstreamResolver(options.upstream);

  function pass<I, O>(rpc: string, call: (up: Upstream, req: I, signal: AbortSignal) => Promise<O>) {
    return async (req: I, ctx: Pick<HandlerContext, "signal" | "values">): Promise<O> => {
      const up = upstream(ctx);
      try {
        return await call(up, req, ctx.signal);
      } catch (err) {
        throw toSchemaError(err, up.url, rpc);
      }
    };
  }

  return {
    listSchemas: pass("ListSchemas", (up, req, signal) => up.registry.listSchemas(req, { signal })),
    getSchema: pass("GetSchema", (up, req, signal) => up.registry.getSchema(req, { signal })),
    checkCandidate: pass("CheckCandidate", (up, req, signal) => up.registry.checkCandidate(req, { signal })),
    registerSchema: pass("RegisterSchema", (up, req, signal) => up.registry.registerSchema(req, { signal })),
    compareVersions: pass("CompareVersions", (up, req, signal) => up.registry.compareVersions(req, { signal })),
    validatePayload: pass("ValidatePayload", (up, req, signal) => up.registry.validatePayload(req, { signal })),
  };
}

/** A store without the admin services answers UNIMPLEMENTED; that is a fact about the store, not a bug. */
function toSchemaError(err: unknown, url: string, rpc: string): ConnectError {
  if (err instanceof ConnectError && err.code === Code.Unimplemented) {
    return consoleError(NO_REGISTRY_MESSAGE, Code.FailedPrecondition);
  }
  return toConsoleError(err, url, rpc);
}
