import type { DescMessage } from "@bufbuild/protobuf";
import { createContextKey } from "@connectrpc/connect";
import { PREFIX_BYTES } from "./framing";

/**
 * A message already in protobuf wire form, inside its gRPC frame. Handlers return it where encoding
 * once and sending the bytes many times (one fact to a hundred followers) or hand-encoding a hot
 * message pays off; the encoder leaves PREFIX_BYTES free at the start so the frame is never copied.
 */
export class EncodedMessage<Desc extends DescMessage = DescMessage> {
  declare private readonly brand: Desc;

  /** `frame` holds the message from PREFIX_BYTES on; the prefix is filled in here. */
  constructor(readonly frame: Buffer) {
    frame[0] = 0;
    frame.writeUInt32BE(frame.length - PREFIX_BYTES, 1);
  }

  /** The message without its frame prefix. */
  get bytes(): Buffer {
    return this.frame.subarray(PREFIX_BYTES);
  }
}

/**
 * A streaming call's HTTP/2 stream, for a handler that writes pre-encoded frames into it outside its
 * reply generator (a live subscription's follower, store/subscriptions/follower.ts): one write per
 * frame, no generator step or promise per frame. Set only while the replies go out uncompressed.
 */
export interface FrameStream {
  /** Writes one gRPC frame; false when the stream wants no more until it drains (or is gone). */
  write(frame: Buffer): boolean;
  /** Calls `resume` once when the stream can take more. */
  onDrain(resume: () => void): void;
}

export const FRAME_STREAM = createContextKey<FrameStream | undefined>(undefined, {
  description: "the call's stream, for pre-encoded frames written outside the reply generator",
});
