import type { ConnectError, HandlerContext } from "@connectrpc/connect";
import type {
  DescMethod,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import type { EncodedMessage } from "./encoded";
import type { Claim } from "./peer";

type Reply<O extends DescMethod["output"]> = MessageInitShape<O> | EncodedMessage<O>;

type MethodHandler<M> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageShape<I>, context: HandlerContext) => Promise<Reply<O>> | Reply<O>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageShape<I>, context: HandlerContext) => AsyncIterable<Reply<O>>
      : never;

/** A service's handlers: unary and server-streaming methods only (FactCast has no other kind). */
export type ServiceHandlers<S extends DescService> = { [K in keyof S["method"]]: MethodHandler<S["method"][K]> };

export interface Route {
  service: DescService;
  method: DescMethod;
  handler: (request: never, context: HandlerContext) => unknown;
  /** Replies may be gzip-compressed when the client asks (FactCast's fc-msgcomp). */
  compressible: boolean;
  /** Decodes the request instead of the generic decoder (its errors are reported as a malformed request). */
  decode?: (bytes: Uint8Array) => unknown;
}

export interface ServiceOptions {
  /** Methods (local names) whose replies are compressed on request; FactCast compresses only a few. */
  compressedReplies?: readonly string[];
  /**
   * Methods (local names) whose requests the service decodes itself, for hot paths that keep parts
   * of a request as bytes; their handlers receive what the decoder returns.
   */
  requestDecoders?: Readonly<Record<string, (bytes: Uint8Array) => unknown>>;
}

/** A call the store refused because of who its caller is (UNAUTHENTICATED or PERMISSION_DENIED). */
export interface RefusedCall {
  path: string;
  requestHeader: Headers;
  /** Absent when the call was refused before its handler's context existed. */
  context: HandlerContext | undefined;
  error: ConnectError;
  /** The remote address of the call's connection. */
  address: string;
  /** Who its credentials named, checked or not (the password never leaves the gRPC layer). */
  claim: Claim;
}

/** Collects the services one server answers, keyed by the HTTP/2 path gRPC calls them by. */
export class GrpcRoutes {
  readonly byPath = new Map<string, Route>();
  /** Told of every refused call, after its status is decided (store/audit/refusals.ts records them). */
  onRefusal: ((call: RefusedCall) => void) | undefined;

  service<S extends DescService>(service: S, handlers: ServiceHandlers<S>, options: ServiceOptions = {}): this {
    for (const method of service.methods) {
      if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") {
        throw new Error(`${service.typeName}.${method.name}: only unary and server-streaming methods are served`);
      }
      const handler = (handlers as Record<string, Route["handler"]>)[method.localName];
      if (typeof handler !== "function") throw new Error(`${service.typeName}.${method.name} has no handler`);
      this.byPath.set(`/${service.typeName}/${method.name}`, {
        service,
        method,
        handler: handler.bind(handlers),
        compressible: options.compressedReplies?.includes(method.localName) ?? false,
        decode: options.requestDecoders?.[method.localName],
      });
    }
    return this;
  }
}
