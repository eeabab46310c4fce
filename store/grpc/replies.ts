// A gRPC call's answer on its HTTP/2 stream: the reply frames, then the status in trailers (or the
// status alone, trailers-only), and what the client still sends after its call was answered.
import http2 from "node:http2";
import { create, isMessage, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { log } from "../log";
import type { CallContext } from "./context";
import { EncodedMessage, FRAME_STREAM } from "./encoded";
import { ACCEPTED_ENCODINGS, compress, frame, PREFIX_BYTES } from "./framing";
import { internalError } from "./internal-error";
import { inSlice } from "./slices";
import type { Route } from "./service";

// Replies smaller than this go out uncompressed even when the client asked for compression: gzip's
// own framing (~20 bytes) and the trip to the zlib thread pool cost more than they save.
const MIN_COMPRESS_BYTES = 1024;
// Headers HTTP/2 or gRPC itself owns; a handler's metadata never overrides them.
const RESERVED = /^(:|grpc-|content-type$|te$)/;
// A stream's status waits behind the data the client has not read yet; a client that takes
// neither within this long after the store ended the call is cut off (RST_STREAM), so that it
// cannot hold the stream and its buffers for ever.
const UNREAD_END_MS = 5_000;

// The answer of a call whose handler set no headers or trailers (nearly every call), made once:
// Node copies the headers it is given, so one object serves every stream.
const OK_HEADERS: http2.OutgoingHttpHeaders = {
  ":status": 200,
  "content-type": "application/grpc",
  "grpc-accept-encoding": ACCEPTED_ENCODINGS,
};
const OK_GZIP_HEADERS: http2.OutgoingHttpHeaders = { ...OK_HEADERS, "grpc-encoding": "gzip" };
const OK_TRAILERS: http2.OutgoingHttpHeaders = { "grpc-status": "0" };
// A message with no fields (a publish's MSG_Empty) is zero bytes on the wire, whatever the handler
// returned: one frame (its prefix alone) for all of them. Never written to after this.
const EMPTY_FRAME = new EncodedMessage(Buffer.alloc(PREFIX_BYTES)).frame;

/** A unary reply in its gRPC frame, compressed when the client asked and it is worth it. */
export async function encodeReply(schema: DescMessage, reply: unknown, gzip: boolean): Promise<Buffer> {
  if (reply instanceof EncodedMessage && (!gzip || reply.frame.length < MIN_COMPRESS_BYTES)) return reply.frame;
  if (schema.fields.length === 0) return EMPTY_FRAME;
  const body =
    reply instanceof EncodedMessage
      ? reply.bytes
      : toBinary(schema, isMessage(reply, schema) ? reply : create(schema, reply as never));
  if (gzip && body.length >= MIN_COMPRESS_BYTES) return frame(await compress(body), true);
  return frame(body);
}

function responseHeaders(context: CallContext, gzip: boolean): http2.OutgoingHttpHeaders {
  const extra = context.setResponseHeader;
  if (!hasAny(extra)) return gzip ? OK_GZIP_HEADERS : OK_HEADERS;
  const out: http2.OutgoingHttpHeaders = { ...(gzip ? OK_GZIP_HEADERS : OK_HEADERS) };
  extra.forEach((value, name) => {
    if (!RESERVED.test(name)) out[name] = value;
  });
  return out;
}

function okTrailers(context: CallContext): http2.OutgoingHttpHeaders {
  const extra = context.setResponseTrailer;
  return hasAny(extra) ? trailersOf(undefined, extra) : OK_TRAILERS;
}

function hasAny(headers: Headers | undefined): headers is Headers {
  if (!headers) return false;
  for (const _ of headers.keys()) return true;
  return false;
}

/** A unary call's answer: headers, its reply frames, the OK status. */
export function sendReplies(
  stream: http2.ServerHttp2Stream,
  context: CallContext,
  gzip: boolean,
  frames: Buffer[],
): void {
  if (stream.destroyed) return;
  stream.respond(responseHeaders(context, gzip), { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers(okTrailers(context)));
  for (const f of frames) stream.write(f);
  stream.end();
}

/**
 * A server-streaming call's answer: its handler's replies as they come, then the status. A handler's
 * error becomes the status (`onError` is told of it first); returns the status, undefined for OK.
 */
export async function streamReplies(
  stream: http2.ServerHttp2Stream,
  route: Route,
  context: CallContext,
  request: unknown,
  gzip: boolean,
  onError: (status: ConnectError) => void,
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
    onError(status);
  }
  if (stream.destroyed) return status ?? statusOf(undefined, context.signal, true);
  stream.once("wantTrailers", () =>
    stream.sendTrailers(status ? trailersOf(status, status.metadata) : okTrailers(context)),
  );
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

/** An error as the status a client sees: a deadline or cancellation wins over what it caused. */
export function statusOf(
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

/** Ends the call with `error`'s status: trailers-only when nothing was sent yet. */
export function sendStatus(stream: http2.ServerHttp2Stream, error: ConnectError): void {
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
export function dropRest(
  stream: http2.ServerHttp2Stream,
  limits: { bodyStallMs: number; maxRequestBytes: number },
): void {
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
  metadata.forEach((value, name) => {
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
