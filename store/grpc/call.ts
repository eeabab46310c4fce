// One gRPC call on one HTTP/2 stream: read the request, run the handler, write replies and status.
import http2 from "node:http2";
import { create, fromBinary, isMessage, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextKey, createContextValues, type HandlerContext } from "@connectrpc/connect";
import type { Authenticator } from "../auth/authenticate";
import { PRINCIPAL, type Principal } from "../auth/principal";
import { log } from "../log";
import { callEnded, callStarted, codeName } from "../metrics/grpc";
import { CallAbort, expectedError } from "./call-abort";
import { CALL_LOG, CallLog, requestIdFor } from "./call-log";
import { RequestBody } from "./request-body";
import { EncodedMessage, FRAME_STREAM } from "./encoded";
import { inSlice } from "./slices";
import { internalError } from "./internal-error";
import { ACCEPTED_ENCODINGS, compress, frame, singleMessage } from "./framing";
import type { BodyBudget } from "./limits";
import { CALLER_ADDRESS, claimOf } from "./peer";
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

// Replies smaller than this go out uncompressed even when the client asked for compression: gzip's
// own framing (~20 bytes) and the trip to the zlib thread pool cost more than they save.
const MIN_COMPRESS_BYTES = 1024;
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };
// The longest delay a Node timer holds; a longer one would fire after 1 ms. A grpc-timeout beyond it
// (~24.8 days; up to 8 digits of hours are allowed) means no deadline.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Headers HTTP/2 or gRPC itself owns; a handler's metadata never overrides them.
const RESERVED = /^(:|grpc-|content-type$|te$)/;

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
  const callLog = new CallLog({
    req: requestIdFor(headers["x-request-id"]),
    rpc: path.slice(0, 200),
    client: headerValue(headers["fc-id"])?.slice(0, 200),
    address: stream.session?.socket?.remoteAddress,
  });
  let context: HandlerContext | undefined;
  let outcome: ConnectError | undefined;
  const controller = new CallAbort();
  const onClose = () => controller.abort(CLIENT_GONE);
  stream.once("close", onClose);
  let deadline: NodeJS.Timeout | undefined;
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
    context = handlerContext(route, path, headers, controller.signal, timeoutMs, principal);
    context.values.set(CALLER_ADDRESS, stream.session?.socket?.remoteAddress ?? "");
    context.values.set(CALL_LOG, callLog);
    context.values.set(END_CALL, (reason: ConnectError) => controller.abort(reason));
    const gzip = route.compressible && headerValue(headers["fc-msgcomp"]) === "gzip";
    if (route.method.methodKind === "unary") {
      const work = Promise.resolve(route.handler(request as never, context));
      // With a deadline, the caller gets DEADLINE_EXCEEDED when it passes, even from a handler that
      // does not watch its signal (the handler's own result is dropped).
      const reply = timeoutMs === undefined ? await work : await unlessAborted(work, controller.signal);
      const body = await encodeReply(route.method.output, reply, gzip);
      sendReplies(stream, context, gzip, [body]);
    } else {
      outcome = await streamReplies(stream, routes, headers, route, context, request, gzip);
    }
  } catch (err) {
    outcome = statusOf(err, context?.signal ?? controller);
    reportRefusal(routes, stream, headers, context, outcome);
    sendStatus(stream, outcome);
    dropRest(stream, limits);
  } finally {
    body.release();
    clearTimeout(deadline);
    stream.off("close", onClose);
    // Work a handler left tied to its signal lets go now (a reason given: no DOMException per call).
    controller.abort(CALL_ENDED);
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

/** `work`'s outcome, or the signal's reason as soon as it aborts. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
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

// A stream's status waits behind the data the client has not read yet; a client that takes
// neither within this long after the store ended the call is cut off (RST_STREAM), so that it
// cannot hold the stream and its buffers for ever.
const UNREAD_END_MS = 5_000;

/** What handlers see of their call; built by hand because it is made for every call. */
function handlerContext(
  route: Route,
  url: string,
  headers: http2.IncomingHttpHeaders,
  signal: AbortSignal,
  timeoutMs: number | undefined,
  principal: Principal,
): HandlerContext {
  const deadlineAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  return {
    service: route.service,
    method: route.method,
    protocolName: "grpc",
    requestMethod: "POST",
    url,
    signal,
    timeoutMs: () => (deadlineAt === undefined ? undefined : deadlineAt - Date.now()),
    requestHeader: metadataOf(headers),
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    values: createContextValues().set(PRINCIPAL, principal),
  };
}

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

async function encodeReply(schema: DescMessage, reply: unknown, gzip: boolean): Promise<Buffer> {
  if (reply instanceof EncodedMessage && (!gzip || reply.frame.length < MIN_COMPRESS_BYTES)) return reply.frame;
  const body =
    reply instanceof EncodedMessage
      ? reply.bytes
      : toBinary(schema, isMessage(reply, schema) ? reply : create(schema, reply as never));
  if (gzip && body.length >= MIN_COMPRESS_BYTES) return frame(await compress(body), true);
  return frame(body);
}

function responseHeaders(context: HandlerContext, gzip: boolean): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ":status": 200, "content-type": "application/grpc" };
  if (gzip) out["grpc-encoding"] = "gzip";
  out["grpc-accept-encoding"] = ACCEPTED_ENCODINGS;
  context.responseHeader.forEach((value, name) => {
    if (!RESERVED.test(name)) out[name] = value;
  });
  return out;
}

function sendReplies(stream: http2.ServerHttp2Stream, context: HandlerContext, gzip: boolean, frames: Buffer[]): void {
  if (stream.destroyed) return;
  stream.respond(responseHeaders(context, gzip), { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers(trailersOf(undefined, context.responseTrailer)));
  for (const f of frames) stream.write(f);
  stream.end();
}

async function streamReplies(
  stream: http2.ServerHttp2Stream,
  routes: GrpcRoutes,
  headers: http2.IncomingHttpHeaders,
  route: Route,
  context: HandlerContext,
  request: unknown,
  gzip: boolean,
): Promise<ConnectError | undefined> {
  // Headers go out at once, so clients see the call accepted even while a follow waits for facts.
  stream.respond(responseHeaders(context, gzip), { waitForTrailers: true });
  // Frames written beside the generator come after everything it has yielded so far; once the
  // generator ends nothing writes any more (its handler stops writing before it returns).
  if (!gzip) {
    context.values.set(FRAME_STREAM, {
      write: (frame) => !stream.destroyed && !stream.writableEnded && stream.write(frame),
      onDrain: (resume) => stream.once("drain", resume),
    });
  }
  let status: ConnectError | undefined;
  try {
    for await (const reply of route.handler(request as never, context) as AsyncIterable<unknown>) {
      if (stream.destroyed) break;
      // Pre-encoded replies (every live fact) skip the await: one promise hop less per message.
      const frame =
        reply instanceof EncodedMessage && !gzip ? reply.frame : await encodeReply(route.method.output, reply, gzip);
      if (!stream.write(frame)) await drained(stream, context.signal);
    }
  } catch (err) {
    status = statusOf(err, context.signal);
    reportRefusal(routes, stream, headers, context, status);
  }
  if (stream.destroyed) return status ?? statusOf(undefined, context.signal, true);
  stream.once("wantTrailers", () => stream.sendTrailers(trailersOf(status, context.responseTrailer)));
  stream.end();
  if (status) {
    const cutOff = setTimeout(
      () =>
        inSlice(stream.session ?? stream, () => {
          if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
        }),
      UNREAD_END_MS,
    );
    cutOff.unref();
    stream.once("close", () => clearTimeout(cutOff));
  }
  return status;
}

/** Calls refused for who their caller is go to the routes' listener (the audit trail). */
function reportRefusal(
  routes: GrpcRoutes,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  context: HandlerContext | undefined,
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

/** An error as the status a client sees: a deadline or cancellation wins over what it caused. */
function statusOf(
  err: unknown,
  signal: Pick<AbortSignal, "aborted" | "reason"> | undefined,
  gone = false,
): ConnectError {
  if (signal?.aborted && signal.reason instanceof ConnectError) return signal.reason;
  // The client went away mid-stream and no handler error said otherwise.
  if (gone && err === undefined) return new ConnectError("cancelled by the client", Code.Canceled);
  if (err instanceof ConnectError) return err;
  // Thrown past the protocol adapter's mapping (store/protocol/errors.ts): ours, never shown as text.
  return internalError(err, "the gRPC layer", log);
}

// The status of errors that end many calls at once (a stall, a client gone, the call limit; they are
// shared, see request-body.ts) mapped to headers once: with the error's metadata (undici Headers) read
// for every call, the mapping was a fifth of ending 10,000 stalled calls (profiled). Nothing changes an
// error's metadata once the error is thrown, and Node copies the headers it is given.
const statusHeaders = new WeakMap<
  ConnectError,
  { trailers: http2.OutgoingHttpHeaders; only: http2.OutgoingHttpHeaders }
>();

function sendStatus(stream: http2.ServerHttp2Stream, error: ConnectError): void {
  if (stream.destroyed) return;
  let mapped = statusHeaders.get(error);
  if (!mapped) {
    const trailers = trailersOf(error, error.metadata);
    // Trailers-only: the whole answer in one HEADERS frame.
    mapped = { trailers, only: { ":status": 200, "content-type": "application/grpc", ...trailers } };
    statusHeaders.set(error, mapped);
  }
  const { trailers } = mapped;
  if (!stream.headersSent) {
    stream.respond(mapped.only, { endStream: true });
  } else {
    stream.once("wantTrailers", () => stream.sendTrailers(trailers));
    stream.end();
  }
}

/**
 * Reads and drops what the client still sends after its call was answered (the rest of a refused
 * request): reading keeps the connection's flow-control window open for its other calls, where
 * resetting the stream while bytes are in flight left such a connection stalled in our tests. A
 * client that goes on past the request limit, or stops sending without ending, has the stream reset.
 */
function dropRest(stream: http2.ServerHttp2Stream, limits: Pick<CallLimits, "bodyStallMs" | "maxRequestBytes">): void {
  if (stream.readableEnded || stream.destroyed) return;
  let dropped = 0;
  const cut = () => {
    clearTimeout(timer);
    stream.off("data", onData);
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  };
  // Refused calls whose clients all stop sending are cut in slices (store/grpc/slices.ts).
  const timer = setTimeout(() => inSlice(stream.session ?? stream, cut), limits.bodyStallMs);
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limits.maxRequestBytes) cut();
    else timer.refresh();
  };
  stream.on("data", onData);
  stream.once("end", () => clearTimeout(timer));
  stream.once("close", () => clearTimeout(timer));
  stream.resume();
}

function trailersOf(error: ConnectError | undefined, metadata: Headers): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  const extra = error ? error.metadata : metadata;
  extra.forEach((value, name) => {
    if (!RESERVED.test(name)) out[name] = value;
  });
  out["grpc-status"] = String(error ? error.code : 0);
  if (error) out["grpc-message"] = percentEncode(error.rawMessage);
  return out;
}

/** gRPC's grpc-message encoding: bytes outside printable ASCII, and '%', as %XX of their UTF-8. */
function percentEncode(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
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

/** Request metadata as Headers (pseudo-headers left out), which handlers read like any fetch API. */
function metadataOf(headers: http2.IncomingHttpHeaders): Headers {
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

function drained(stream: http2.ServerHttp2Stream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
    signal.addEventListener("abort", done);
  });
}
