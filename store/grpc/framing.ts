// gRPC's length-prefixed message framing: 1 flag byte (1 = compressed), 4 bytes big-endian length.
import { promisify } from "node:util";
import zlib from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";

export const PREFIX_BYTES = 5;
const gunzip = promisify(zlib.gunzip);
const gzip = promisify(zlib.gzip);

/** The encodings requests may use; anything else is answered with UNIMPLEMENTED as gRPC specifies. */
export const ACCEPTED_ENCODINGS = "gzip,identity";

/** Prefixes one encoded message; `body` is copied once into the frame. */
export function frame(body: Uint8Array, compressed = false): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + body.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, PREFIX_BYTES);
  return out;
}

/** The one message of a unary or server-streaming request, decompressed. */
export async function singleMessage(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
  if (body.length < PREFIX_BYTES) {
    throw new ConnectError(
      "the request carries no message: a gRPC request needs exactly one length-prefixed message",
      Code.InvalidArgument,
    );
  }
  const compressed = body[0] === 1;
  const length = body.readUInt32BE(1);
  if (body[0] > 1)
    throw new ConnectError(`the message flag byte is ${body[0]}; gRPC allows 0 or 1`, Code.InvalidArgument);
  if (body.length !== PREFIX_BYTES + length) {
    throw new ConnectError(
      body.length < PREFIX_BYTES + length
        ? `the request ended after ${body.length - PREFIX_BYTES} of the ${length} message bytes its prefix announced`
        : "the request carries more than one message; this method takes exactly one",
      Code.InvalidArgument,
    );
  }
  const message = body.subarray(PREFIX_BYTES);
  if (!compressed) return message;
  if (encoding !== "gzip") {
    throw new ConnectError(
      `the message is flagged compressed but grpc-encoding is ${encoding ?? "missing"}; use gzip or send it uncompressed`,
      Code.Internal,
    );
  }
  try {
    return await gunzip(message, { maxOutputLength: maxBytes });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    throw new ConnectError(
      tooBig
        ? `the request decompresses to more than ${maxBytes} bytes`
        : `the gzip-compressed message could not be decompressed: ${(err as Error).message}`,
      tooBig ? Code.ResourceExhausted : Code.InvalidArgument,
    );
  }
}

/** gzip for responses the client asked to have compressed; zlib runs off the event loop. */
export async function compress(body: Uint8Array): Promise<Uint8Array> {
  return gzip(body, { level: zlib.constants.Z_BEST_SPEED });
}
