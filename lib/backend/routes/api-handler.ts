// Connect services as a fetch handler (Request → Response), for Next.js route handlers: the
// console's browser API is served with the Connect protocol under /api/. Kept apart from the route
// file so tests can drive exactly this handler without Next.js.
import { createConnectRouter, type ConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
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

export const API_PREFIX = "/api";
/** Browser requests are small queries; anything this large is not one of ours. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export type FetchHandler = (req: Request) => Promise<Response>;

/**
 * Routes `<prefix>/<package.Service>/<Method>` to the registered services, Connect protocol only
 * (JSON and binary). Responses are returned as streams: server-streaming RPCs flow frame by frame
 * (a pulled ReadableStream), never buffered.
 */
export function createApiHandler(routes: (router: ConnectRouter) => void, prefix = API_PREFIX): FetchHandler {
  const router = createConnectRouter({ connect: true, grpc: false, grpcWeb: false, readMaxBytes: MAX_REQUEST_BYTES });
  routes(router);
  const byPath = new Map(
    router.handlers.map((h) => {
      const handle = createFetchHandler(h);
      return [
        prefix + h.requestPath,
        h.method.methodKind === "server_streaming" ? unbuffered(handle) : handle,
      ] as const;
    }),
  );
  return async (req) => {
    const path = new URL(req.url).pathname;
    const handler = byPath.get(path);
    if (handler) return handler(req);
    // The Connect protocol's shape for "no such procedure", so clients report it properly.
    return Response.json({ code: "unimplemented", message: `no console API procedure at ${path}` }, { status: 404 });
  };
}

/**
 * The console's /api handler: ConsoleService, SchemaService, TransformationService, AccessService,
 * AuditService and OperationsService over one upstream (default: the shared one).
 */
export function createConsoleApiHandler(options: ConsoleServiceOptions = {}): FetchHandler {
  return createApiHandler((router) =>
    router
      .service(ConsoleService, createConsoleService(options))
      .service(SchemaService, createSchemaService({ upstream: options.upstream }))
      .service(TransformationService, createTransformationService({ upstream: options.upstream }))
      .service(AccessService, createAccessService({ upstream: options.upstream }))
      .service(AuditService, createAuditService({ upstream: options.upstream }))
      .service(OperationsService, createOperationsService({ upstream: options.upstream })),
  );
}

/**
 * Proxies in front of the console (nginx, a corporate gateway) buffer responses by default, which
 * would hold a live stream's frames back; these headers ask them not to. (Next.js itself flushes
 * each chunk, compressed or not.)
 */
function unbuffered(handle: FetchHandler): FetchHandler {
  return async (req) => {
    const res = await handle(req);
    const headers = new Headers(res.headers);
    headers.set("cache-control", "no-store, no-transform");
    headers.set("x-accel-buffering", "no");
    return new Response(res.body, { status: res.status, headers });
  };
}
