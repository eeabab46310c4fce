// Streaming line reader for NDJSON input: constant memory however long the input, and every line
// keeps its 1-based number so errors can point at it.
import { StringDecoder } from "node:string_decoder";

export interface Line {
  /** 1-based, counting blank lines too, so it matches what an editor shows. */
  number: number;
  text: string;
}

/**
 * Yields the non-blank lines of a byte or text stream. Splits on \n and drops a trailing \r
 * (files from Windows), and a UTF-8 byte-order mark at the start. Multi-byte characters split
 * across chunks are reassembled by the decoder.
 */
export async function* readLines(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Line> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let number = 0;
  let first = true;
  const emit = function* (raw: string): Generator<Line> {
    number++;
    let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (first) {
      first = false;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    if (text.trim() !== "") yield { number, text };
  };
  for await (const chunk of input) {
    pending += typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk));
    let newline: number;
    let from = 0;
    while ((newline = pending.indexOf("\n", from)) !== -1) {
      yield* emit(pending.slice(from, newline));
      from = newline + 1;
    }
    pending = pending.slice(from);
  }
  pending += decoder.end();
  if (pending !== "") yield* emit(pending);
}
