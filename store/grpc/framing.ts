// gRPC's length-prefixed message framing: 1 flag byte (1 = compressed), 4 bytes big-endian length.
import { promisify } from "node:util";
import zlib from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";

export const PREFIX_BYTES = 5;
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

/**
 * The one message of a unary or server-streaming request, decompressed. `hold` takes each
 * decompressed chunk's bytes from the store's request budget (it throws when the budget is spent),
 * so a small gzip body cannot make many calls hold their 40 MiB of output at once.
 */
export async function singleMessage(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
  hold: (bytes: number) => void = () => {},
): Promise<Uint8Array> {
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
  return gunzipBounded(message, maxBytes, hold);
}

/** gunzip off the event loop, chunk by chunk, stopping as soon as the output passes `maxBytes` or the budget. */
function gunzipBounded(message: Uint8Array, maxBytes: number, hold: (bytes: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = zlib.createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: unknown) => {
      chunks.length = 0;
      inflater.destroy();
      reject(err);
    };
    inflater.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop(new ConnectError(`the request decompresses to more than ${maxBytes} bytes`, Code.ResourceExhausted));
        return;
      }
      try {
        hold(chunk.length);
      } catch (err) {
        stop(err);
        return;
      }
      chunks.push(chunk);
    });
    inflater.once("end", () => resolve(Buffer.concat(chunks, size)));
    inflater.once("error", (err) =>
      stop(
        new ConnectError(`the gzip-compressed message could not be decompressed: ${err.message}`, Code.InvalidArgument),
      ),
    );
    inflater.end(message);
  });
}

/** gzip for responses the client asked to have compressed; zlib runs off the event loop. */
export async function compress(body: Uint8Array): Promise<Uint8Array> {
  return gzip(body, { level: zlib.constants.Z_BEST_SPEED });
}
