// What a handler sees of its gRPC call (Connect's HandlerContext), made for every call. The parts
// most unary handlers never read are made on first use: the signal (an AbortController, and its abort
// event when the call ends), the request's metadata as Headers (undici checks every name and value)
// and the reply's headers and trailers. Made eagerly they were ~15 % of the store's CPU per lookup
// (`npm run bench -- --only lookups --profile`; docs/performance.md, "Per-call CPU").
import type http2 from "node:http2";
import { createContextValues, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { PRINCIPAL, type Principal } from "../auth/principal";
import type { CallAbort } from "./call-abort";
import type { Route } from "./service";

export class CallContext implements HandlerContext {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly protocolName = "grpc";
  readonly requestMethod = "POST";
  readonly values: ContextValues;
  private readonly deadlineAt: number | undefined;
  private madeRequestHeader?: Headers;
  private madeResponseHeader?: Headers;
  private madeResponseTrailer?: Headers;

  constructor(
    route: Route,
    readonly url: string,
    private readonly headers: http2.IncomingHttpHeaders,
    private readonly abort: CallAbort,
    timeoutMs: number | undefined,
    principal: Principal,
  ) {
    this.service = route.service;
    this.method = route.method;
    this.deadlineAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.values = createContextValues().set(PRINCIPAL, principal);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  timeoutMs(): number | undefined {
    return this.deadlineAt === undefined ? undefined : this.deadlineAt - Date.now();
  }

  get requestHeader(): Headers {
    return (this.madeRequestHeader ??= metadataOf(this.headers));
  }

  get responseHeader(): Headers {
    return (this.madeResponseHeader ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.madeResponseTrailer ??= new Headers());
  }

  /** The reply's extra headers, undefined when the handler never asked for them. */
  get setResponseHeader(): Headers | undefined {
    return this.madeResponseHeader;
  }

  /** The reply's extra trailers, undefined when the handler never asked for them. */
  get setResponseTrailer(): Headers | undefined {
    return this.madeResponseTrailer;
  }
}

/** Request metadata as Headers (pseudo-headers left out), which handlers read like any fetch API. */
export function metadataOf(headers: http2.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const name in headers) {
    // Credentials stay in the gRPC layer: nothing a handler logs or echoes can carry them.
    if (name.startsWith(":") || name === "authorization") continue;
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else if (value !== undefined) out.set(name, value);
  }
  return out;
}
