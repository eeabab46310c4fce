// The fact lookups' reply (fetchById, fetchBySerial, fetchByIdAndVersion: MSG_OptionalFact)
// hand-encoded from the stored text: the generic encoder walks the message's descriptors and was the
// largest single cost of answering a lookup of a 1 KB fact (`npm run bench -- --only lookups --profile`;
// docs/performance.md, "Per-call CPU"). Byte for byte what toBinary writes (optional-fact.unit.spec.ts).
import type { MSG_OptionalFactSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import { EncodedMessage } from "../grpc/encoded";
import { PREFIX_BYTES } from "../grpc/framing";
import { fieldLength, measure, varintLength, writeFact, writeVarint } from "./notifications";

const TAG_PRESENT = (1 << 3) | 0; // MSG_OptionalFact.present, varint
const TAG_FACT = (2 << 3) | 2; // MSG_OptionalFact.fact, length-delimited

// present = false is proto3's default: the message is empty, one shared frame for every miss.
const ABSENT = new EncodedMessage<typeof MSG_OptionalFactSchema>(Buffer.alloc(PREFIX_BYTES));

export function encodeOptionalFact(fact: StoredFact | undefined): EncodedMessage<typeof MSG_OptionalFactSchema> {
  if (!fact) return ABSENT;
  const size = measure(fact);
  const body = fieldLength(size.headerBytes) + fieldLength(size.payloadBytes);
  const out = Buffer.allocUnsafe(PREFIX_BYTES + 2 + 1 + varintLength(body) + body);
  let at = PREFIX_BYTES;
  out[at++] = TAG_PRESENT;
  out[at++] = 1;
  out[at++] = TAG_FACT;
  at = writeVarint(out, at, body);
  writeFact(out, at, fact, size);
  return new EncodedMessage(out);
}
