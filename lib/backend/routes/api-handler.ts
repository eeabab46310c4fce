// Connect services as a fetch handler (Request → Response), for Next.js route handlers: the
// console's browser API is served with the Connect protocol under /api/. Kept apart from the route
// file so tests can drive exactly this handler without Next.js.
import { createConnectRouter, createContextValues, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import { universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";
import { AccessService, AuditService } from "../../../gen/factline/console/v1/access_pb";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { OperationsService } from "../../../gen/factline/console/v1/operations_pb";
import { SchemaService } from "../../../gen/factline/console/v1/schemas_pb";
import { TransformationService } from "../../../gen/factline/console/v1/transformations_pb";
import { createAccessService, createAuditService } from "../rpc/access";
import { createConsoleService, type ConsoleServiceOptions } from "../rpc/console-service";
import { createOperationsService } from "../rpc/operations";
import { createSchemaService } from "../rpc/schemas";
import { createTransformationService } from "../rpc/transformations";
import { CALLER_UPSTREAM } from "../upstream/caller";
import type { Upstream } from "../upstream/upstream";

export const API_PREFIX = "/api";
/** Browser requests are small queries; anything this large is not one of ours. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export type FetchHandler = (req: Request) => Promise<Response>;
type ProcedureHandler = (req: Request, values: ContextValues) => Promise<Response>;

/**
 * Who is calling: the store as that user, or a Response that refuses the call (not signed in).
 * lib/backend/auth/request.ts answers it from the session cookie.
 */
export type Identify = (req: Request) => Promise<Upstream | Response>;

/**
 * Routes `<prefix>/<package.Service>/<Method>` to the registered services, Connect protocol only
 * (JSON and binary). Responses are returned as streams: server-streaming RPCs flow frame by frame
 * (a pulled ReadableStream), never buffered. With `identify`, each call runs as its caller
 * (CALLER_UPSTREAM in its context) or is refused before any service sees it.
 */
export function createApiHandler(
  routes: (router: ConnectRouter) => void,
  options: { prefix?: string; identify?: Identify } = {},
): FetchHandler {
  const prefix = options.prefix ?? API_PREFIX;
  const router = createConnectRouter({ connect: true, grpc: false, grpcWeb: false, readMaxBytes: MAX_REQUEST_BYTES });
  routes(router);
  const byPath = new Map(
    router.handlers.map((h) => {
      const handle: ProcedureHandler = async (req, contextValues) =>
        universalServerResponseToFetch(await h({ ...universalServerRequestFromFetch(req, {}), contextValues }));
      return [
        prefix + h.requestPath,
        h.method.methodKind === "server_streaming" ? unbuffered(handle) : handle,
      ] as const;
    }),
  );
  return async (req) => {
    // Refused first: a signed-out caller learns nothing, not even which procedures exist.
    const values = createContextValues();
    if (options.identify) {
      const caller = await options.identify(req);
      if (caller instanceof Response) return caller;
      values.set(CALLER_UPSTREAM, caller);
    }
    const path = new URL(req.url).pathname;
    const handler = byPath.get(path);
    if (handler) return handler(req, values);
    // The Connect protocol's shape for "no such procedure", so clients report it properly.
    return Response.json({ code: "unimplemented", message: `no console API procedure at ${path}` }, { status: 404 });
  };
}

/**
 * The console's /api handler: ConsoleService, SchemaService, TransformationService, AccessService,
 * AuditService and OperationsService, as the caller `identify` names (the app), or over a given
 * upstream (tests).
 */
export function createConsoleApiHandler(options: ConsoleServiceOptions & { identify?: Identify } = {}): FetchHandler {
  return createApiHandler(
    (router) =>
      router
        .service(ConsoleService, createConsoleService(options))
        .service(SchemaService, createSchemaService({ upstream: options.upstream }))
        .service(TransformationService, createTransformationService({ upstream: options.upstream }))
        .service(AccessService, createAccessService({ upstream: options.upstream }))
        .service(AuditService, createAuditService({ upstream: options.upstream }))
        .service(OperationsService, createOperationsService({ upstream: options.upstream })),
    { identify: options.identify },
  );
}

/**
 * Proxies in front of the console (nginx, a corporate gateway) buffer responses by default, which
 * would hold a live stream's frames back; these headers ask them not to. (Next.js itself flushes
 * each chunk, compressed or not.)
 */
function unbuffered(handle: ProcedureHandler): ProcedureHandler {
  return async (req, values) => {
    const res = await handle(req, values);
    const headers = new Headers(res.headers);
    headers.set("cache-control", "no-store, no-transform");
    headers.set("x-accel-buffering", "no");
    return new Response(res.body, { status: res.status, headers });
  };
}
