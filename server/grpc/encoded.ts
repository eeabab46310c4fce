import type { DescMessage } from "@bufbuild/protobuf";

/**
 * A message already in protobuf wire form. Handlers return it where encoding once and sending the
 * bytes many times (one fact to a hundred followers) or hand-encoding a hot message pays off.
 */
export class EncodedMessage<Desc extends DescMessage = DescMessage> {
  declare private readonly brand: Desc;
  constructor(readonly bytes: Uint8Array) {}
}
