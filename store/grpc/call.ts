// One gRPC call on one HTTP/2 stream: read the request, run the handler, write replies and status.
import http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { Authenticator } from "../auth/authenticate";
import { log } from "../log";
import { callEnded, callStarted, codeName } from "../metrics/grpc";
import { CALL_CANCELLATION, CallAbort, expectedError } from "./call-abort";
import { CALL_LOG, CallLog, requestIdFor } from "./call-log";
import { CallContext, metadataOf } from "./context";
import { RequestBody } from "./request-body";
import { inSlice } from "./slices";
import { ACCEPTED_ENCODINGS, singleMessage } from "./framing";
import type { BodyBudget } from "./limits";
import { CALLER_ADDRESS, CLIENT_ID, claimOf } from "./peer";
import { dropRest, encodeReply, sendReplies, sendStatus, statusOf, streamReplies } from "./replies";
import type { GrpcRoutes, Route } from "./service";

export interface CallLimits {
  /** Largest request accepted, on the wire and after decompression. */
  maxRequestBytes: number;
  /** A request body with no byte arriving for this long ends the call (store/grpc/limits.ts). */
  bodyStallMs: number;
  /** The bytes all pending request bodies may hold together. */
  budget: BodyBudget;
  /** Who is calling: every call is authenticated before its request is read. */
  authenticator: Authenticator;
}

const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };
// The longest delay a Node timer holds; a longer one would fire after 1 ms. A grpc-timeout beyond it
// (~24.8 days; up to 8 digits of hours are allowed) means no deadline.
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function serveCall(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  routes: GrpcRoutes,
  limits: CallLimits,
): Promise<void> {
  const path = headers[":path"] ?? "";
  const contentType = headers["content-type"] ?? "";
  if (headers[":method"] !== "POST" || !/^application\/grpc(\+proto)?(;|$)/.test(contentType)) {
    // Not a gRPC call: an HTTP answer, as the gRPC spec asks for unsupported content types.
    stream.respond({ ":status": 415, "content-type": "text/plain; charset=utf-8" });
    stream.end("factline serves gRPC (content-type application/grpc) over HTTP/2 on this port\n");
    return;
  }
  const route = routes.byPath.get(path);
  const startedMs = performance.now();
  const served = route ? path : undefined;
  callStarted(served);
  const clientId = headerValue(headers["fc-id"]);
  const callLog = new CallLog({
    req: requestIdFor(headers["x-request-id"]),
    rpc: path.slice(0, 200),
    client: clientId?.slice(0, 200),
    address: stream.session?.socket?.remoteAddress,
  });
  let context: CallContext | undefined;
  let outcome: ConnectError | undefined;
  const controller = new CallAbort();
  const onClose = () => controller.abort(CLIENT_GONE);
  stream.once("close", onClose);
  let deadline: NodeJS.Timeout | undefined;
  // A unary call answered in full: its handler's work is over, nothing is left to let go of.
  let answered = false;
  // The request's bytes, held in the budget until it is decoded.
  const body = new RequestBody(stream, limits, controller);
  try {
    if (!route) throw new ConnectError(`factline does not implement ${path}`, Code.Unimplemented);
    const encoding = headerValue(headers["grpc-encoding"]);
    if (encoding !== undefined && encoding !== "identity" && encoding !== "gzip") {
      throw new ConnectError(
        `grpc-encoding ${encoding} is not supported; use one of ${ACCEPTED_ENCODINGS}`,
        Code.Unimplemented,
      );
    }
    const timeoutMs = parseTimeout(headerValue(headers["grpc-timeout"]));
    // The deadline covers the whole call, reading the request included.
    if (timeoutMs !== undefined) {
      const message = `the call's deadline (grpc-timeout ${timeoutMs} ms) passed`;
      // Deadlines of calls sent together fall due together: they end in slices (store/grpc/slices.ts).
      deadline = setTimeout(
        () =>
          inSlice(stream.session ?? stream, () =>
            controller.abort(expectedError(() => new ConnectError(message, Code.DeadlineExceeded))),
          ),
        timeoutMs,
      );
    }
    // Before the body: a caller who cannot authenticate gets nothing buffered for it.
    const pending = limits.authenticator.authenticate(headers);
    const principal = pending instanceof Promise ? await pending : pending;
    callLog.identity.account = principal.account;
    const bytes = await body.read();
    const request = decodeRequest(
      route,
      await singleMessage(bytes, encoding, limits.maxRequestBytes, (n) => body.hold(n)),
    );
    body.release();
    context = new CallContext(route, path, headers, controller, timeoutMs, principal);
    context.values.set(CALLER_ADDRESS, stream.session?.socket?.remoteAddress ?? "");
    context.values.set(CLIENT_ID, clientId);
    context.values.set(CALL_LOG, callLog);
    context.values.set(END_CALL, (reason: ConnectError) => controller.abort(reason));
    context.values.set(CALL_CANCELLATION, controller);
    const gzip = route.compressible && headerValue(headers["fc-msgcomp"]) === "gzip";
    if (route.method.methodKind === "unary") {
      const work = Promise.resolve(route.handler(request as never, context));
      // With a deadline, the caller gets DEADLINE_EXCEEDED when it passes, even from a handler that
      // does not watch its signal (the handler's own result is dropped).
      const reply = timeoutMs === undefined ? await work : await unlessAborted(work, controller);
      const body = await encodeReply(route.method.output, reply, gzip);
      sendReplies(stream, context, gzip, [body]);
      answered = true;
    } else {
      const streaming = context;
      outcome = await streamReplies(stream, route, streaming, request, gzip, (status) =>
        reportRefusal(routes, stream, headers, streaming, status),
      );
    }
  } catch (err) {
    outcome = statusOf(err, controller);
    reportRefusal(routes, stream, headers, context, outcome);
    sendStatus(stream, outcome);
    dropRest(stream, limits);
  } finally {
    body.release();
    clearTimeout(deadline);
    stream.off("close", onClose);
    // Work a handler left tied to its signal lets go now (a reason given: no DOMException per call).
    // A unary handler that answered awaited all its work: aborting its signal would only dispatch
    // an abort event to nobody (~4 % of the store's CPU per publish, profiled).
    if (!answered) controller.abort(CALL_ENDED);
  }
  const unary = route?.method.methodKind === "unary";
  callEnded(served, outcome?.code ?? 0, startedMs, unary);
  logCallEnd(callLog, outcome, startedMs);
}

/**
 * One line per call at debug level; refusals for who the caller is at warn, so that an operator
 * sees who was turned away (the store's own failures are logged where they happen, with the cause).
 */
function logCallEnd(callLog: CallLog, outcome: ConnectError | undefined, startedMs: number): void {
  const refused = outcome?.code === Code.PermissionDenied || outcome?.code === Code.Unauthenticated;
  // The root log's level, not the call's: asking the call's would make its child logger for every call.
  if (!refused && !log.enabled("debug")) return;
  const fields = {
    code: codeName(outcome?.code ?? 0),
    ms: Math.round((performance.now() - startedMs) * 10) / 10,
    ...(outcome ? { error: outcome.rawMessage } : {}),
  };
  if (refused) callLog.log.warn("call refused", fields);
  else callLog.log.debug("call", fields);
}

const CALL_ENDED = new ConnectError("the call has ended", Code.Canceled);
// One for every call whose client goes away: the status says all there is to say.
const CLIENT_GONE = new ConnectError("cancelled by the client", Code.Canceled);

// Calls past the limit arrive in bursts with the same refusal: one error (and its trailers) for all.
let lastRefusal: ConnectError | undefined;

/** Answers a call the store will not take (over the call limit) without keeping any of it. */
export function refuseCall(
  stream: http2.ServerHttp2Stream,
  message: string,
  limits: Pick<CallLimits, "bodyStallMs" | "maxRequestBytes">,
): void {
  if (lastRefusal?.rawMessage !== message)
    lastRefusal = expectedError(() => new ConnectError(message, Code.Unavailable)) as ConnectError;
  sendStatus(stream, lastRefusal);
  dropRest(stream, limits);
}

/** `work`'s outcome, or the call's abort reason as soon as it is aborted (no AbortSignal made for it). */
function unlessAborted<T>(work: Promise<T>, call: CallAbort): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (reason: unknown) => {
      work.catch(() => {});
      reject(reason);
    };
    if (call.aborted) return onAbort(call.reason);
    const stop = call.onCancel(onAbort);
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}

/**
 * Ends the call from outside its handler (an operator ending a subscription): the call's signal
 * aborts with `reason`, which becomes the status the client gets, even while the call waits for
 * the client to read.
 */
export const END_CALL = createContextKey<(reason: ConnectError) => void>(() => {}, {
  description: "ends the call with a status",
});

function decodeRequest(route: Route, bytes: Uint8Array): unknown {
  try {
    return route.decode ? route.decode(bytes) : fromBinary(route.method.input, bytes);
  } catch (err) {
    throw new ConnectError(
      `the request is not a valid ${route.method.input.typeName}: ${(err as Error).message}`,
      Code.InvalidArgument,
    );
  }
}

/** Calls refused for who their caller is go to the routes' listener (the audit trail). */
function reportRefusal(
  routes: GrpcRoutes,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  context: CallContext | undefined,
  error: ConnectError,
): void {
  if (!routes.onRefusal || (error.code !== Code.PermissionDenied && error.code !== Code.Unauthenticated)) return;
  routes.onRefusal({
    path: headers[":path"] ?? "",
    requestHeader: context?.requestHeader ?? metadataOf(headers),
    context,
    error,
    address: stream.session?.socket?.remoteAddress ?? "",
    claim: claimOf(headers.authorization),
  });
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!match)
    throw new ConnectError(
      `grpc-timeout ${JSON.stringify(value)} is malformed: use up to 8 digits and a unit of H, M, S, m, u or n`,
      Code.InvalidArgument,
    );
  const ms = Number(match[1]) * TIMEOUT_UNIT_MS[match[2]];
  return ms > MAX_TIMER_MS ? undefined : ms;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}
