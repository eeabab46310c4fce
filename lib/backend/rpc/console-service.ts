// The console's browser API (ConsoleService) over the upstream store. Each RPC lives in its own
// module; this one wires them up and makes every failure an error the browser can show.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { getCatalog } from "./catalog";
import { toConsoleError } from "../upstream/errors";
import { getFact } from "./facts";
import { getFactAsVersion } from "./fact-version";
import { queryFacts } from "./queries";
import { getStoreStatus } from "./status";
import { samplerFor, type StoreRateSampler } from "./store-rate";
import { watchFacts } from "./watch";
import { upstreamResolver, type UpstreamSource } from "../upstream/caller";
import type { Upstream } from "../upstream/upstream";

export interface ConsoleServiceOptions {
  /** The store to talk to; default the caller's, from the call's context (lib/backend/upstream/caller.ts). */
  upstream?: UpstreamSource;
  /** "Today" for resolving date ranges; tests fix it. */
  now?: () => Date;
}

/** ConsoleService for a Connect router (`router.service(ConsoleService, createConsoleService())`). */
export function createConsoleService(options: ConsoleServiceOptions = {}): ServiceImpl<typeof ConsoleService> {
  // Resolved per call, not at import: building the app must not dial the store.
  const upstream = upstreamResolver(options.upstream);
  const now = options.now ?? (() => new Date());
  // One rate sampler per store for this service, shared by every browser tab and user that asks.
  const samplers = new Map<string, StoreRateSampler>();

  function guard<I, O>(rpc: string, run: (up: Upstream, req: I, ctx: HandlerContext) => Promise<O>) {
    return async (req: I, ctx: HandlerContext): Promise<O> => {
      const up = upstream(ctx);
      try {
        return await run(up, req, ctx);
      } catch (err) {
        throw toConsoleError(err, up.url, rpc);
      }
    };
  }

  return {
    getStoreStatus: guard("GetStoreStatus", (up) => getStoreStatus(up)),
    getCatalog: guard("GetCatalog", (up, req) => getCatalog(up, req)),
    queryFacts: guard("QueryFacts", (up, req, ctx) => queryFacts(up, req, { now: now(), signal: ctx.signal })),
    getFact: guard("GetFact", (up, req, ctx) => getFact(up, req, ctx.signal)),
    getFactAsVersion: guard("GetFactAsVersion", (up, req, ctx) => getFactAsVersion(up, req, ctx.signal)),
    getStoreRate: guard("GetStoreRate", (up) => samplerFor(up, samplers).snapshot()),
    async *watchFacts(req, ctx) {
      const up = upstream(ctx);
      try {
        yield* watchFacts(up, req, ctx.signal);
      } catch (err) {
        throw toConsoleError(err, up.url, "WatchFacts");
      }
    },
  };
}
