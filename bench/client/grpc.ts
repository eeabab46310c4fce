/**
 * A lean gRPC client on node:http2: the benchmark's load generator must cost far less CPU than the
 * store it measures. connect-node's client spends ~1–2 ms of CPU per unary call on a two-core
 * machine, which would make a single-fact publish benchmark measure the client; writing the frames
 * ourselves (1 byte compressed flag, 4 bytes big-endian length, protobuf bytes) is several times cheaper.
 * Requests and responses are protobuf bytes: callers encode with toBinary and decode as they need.
 */
import http2 from "node:http2";

export const FACT_STORE = "/org.factcast.grpc.api.gen.RemoteFactStore";
/** grpc-java's DEFAULT_FLOW_CONTROL_WINDOW. */
const CLIENT_STREAM_WINDOW = 1024 * 1024;
/** Room for several streams' windows on one connection (many followers share one). */
const CLIENT_CONNECTION_WINDOW = 16 * 1024 * 1024;

export class GrpcError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`gRPC status ${status}: ${message}`);
  }
}

/** Length-prefixes one message (uncompressed). */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Splits a byte stream into gRPC messages, keeping partial frames across chunks. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Length of the message being assembled (from its prefix), once known. */
  private needed = -1;

  push(chunk: Buffer, onMessage: (message: Buffer) => void): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    // Concatenate only once a whole message is there: a 3 MB notification arrives in ~200 chunks,
    // and joining on every chunk would cost the client quadratic copying.
    while (this.bytes >= 5) {
      if (this.needed < 0) {
        const head = this.chunks[0].length >= 5 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
        if (head[0] !== 0)
          throw new Error("compressed gRPC frames are not expected (the bench never asks for compression)");
        this.needed = head.readUInt32BE(1);
      }
      if (this.bytes < 5 + this.needed) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
      const end = 5 + this.needed;
      onMessage(all.subarray(5, end));
      const rest = all.subarray(end);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bytes = rest.length;
      this.needed = -1;
    }
  }
}

export interface StreamHandle {
  /** Resolves when the server ends the stream with OK; rejects with GrpcError otherwise. */
  done: Promise<void>;
  cancel(): void;
}

/** One HTTP/2 connection (one "client" in FactCast terms); many calls may share it concurrently. */
export class GrpcConnection {
  private readonly session: http2.ClientHttp2Session;
  private closed = false;

  constructor(baseUrl: string) {
    // Flow-control windows as grpc-java (FactCast's client) opens them: 1 MiB per stream instead of
    // HTTP/2's 64 KiB default, so a multi-megabyte catch-up notification is not throttled by
    // window updates that a real FactCast client would never have to send.
    this.session = http2.connect(baseUrl, { settings: { initialWindowSize: CLIENT_STREAM_WINDOW } });
    this.session.once("connect", () => this.session.setLocalWindowSize(CLIENT_CONNECTION_WINDOW));
    // Errors surface on the individual streams; an unhandled session error would crash the harness.
    this.session.on("error", () => {});
  }

  /** One unary call: request bytes in, response bytes out. */
  unary(path: string, request: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let response: Buffer | undefined;
      const reader = new FrameReader();
      const stream = this.open(path, request);
      stream.on("data", (chunk: Buffer) => reader.push(chunk, (m) => (response = Buffer.from(m))));
      settle(
        stream,
        () => (response ? resolve(response) : reject(new GrpcError(13, `${path} answered no message`))),
        reject,
      );
    });
  }

  /** A server-streaming call; `onMessage` sees each message's bytes (valid only during the call). */
  serverStream(path: string, request: Uint8Array, onMessage: (message: Buffer) => void): StreamHandle {
    const reader = new FrameReader();
    const stream = this.open(path, request);
    stream.on("data", (chunk: Buffer) => reader.push(chunk, onMessage));
    return cancellable(stream);
  }

  /** A stream whose messages are only counted in bytes: the cheapest possible consumer. */
  drainStream(path: string, request: Uint8Array, onBytes: (bytes: number) => void): StreamHandle {
    const stream = this.open(path, request);
    stream.on("data", (chunk: Buffer) => onBytes(chunk.length));
    return cancellable(stream);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
  }

  private open(path: string, request: Uint8Array): http2.ClientHttp2Stream {
    const stream = this.session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    stream.end(frame(request));
    return stream;
  }
}

/** A stream we cancel ourselves ends quietly; any other end without status OK is an error. */
function cancellable(stream: http2.ClientHttp2Stream): StreamHandle {
  let cancelled = false;
  const done = new Promise<void>((resolve, reject) =>
    settle(stream, resolve, (err) => (cancelled ? resolve() : reject(err))),
  );
  return {
    done,
    cancel: () => {
      cancelled = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    },
  };
}

/** gRPC status arrives in trailers, or in the headers of a trailers-only response. */
function settle(stream: http2.ClientHttp2Stream, resolve: () => void, reject: (e: Error) => void): void {
  let status: string | undefined;
  let message = "";
  const take = (headers: http2.IncomingHttpHeaders) => {
    if (headers["grpc-status"] !== undefined) {
      status = String(headers["grpc-status"]);
      message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
    }
  };
  stream.on("response", take);
  stream.on("trailers", take);
  stream.on("error", (err) => reject(err));
  stream.on("close", () => {
    if (status === "0") resolve();
    else if (status !== undefined) reject(new GrpcError(Number(status), message));
    else reject(new GrpcError(1, `stream closed without a status (rst code ${stream.rstCode})`));
  });
}
