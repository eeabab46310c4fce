// FactCast sends UUIDs as Java's (mostSignificantBits, leastSignificantBits): two signed int64.
// The one codec for them, shared by the store, the console backend, the CLI, the demo, the
// benchmarks and the tests.
import { create } from "@bufbuild/protobuf";
import { MSG_UUIDSchema, type MSG_UUID } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its 8-4-4-4-12 text form (any case); inputs are checked with it. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

/** The canonical (lowercase) form of a UUID string, or undefined when it is not a UUID. */
export function canonicalUuid(value: unknown): string | undefined {
  return isUuid(value) ? value.toLowerCase() : undefined;
}

/**
 * Java's UUID.getMost/LeastSignificantBits. Throws on a string that is not a UUID: a silently
 * wrong id would address another fact, so callers check user input with isUuid first.
 */
export function uuidToBits(uuid: string): { msb: bigint; lsb: bigint } {
  if (!isUuid(uuid)) throw new TypeError(`not a UUID: ${JSON.stringify(uuid)}`);
  const hex = uuid.replace(/-/g, "");
  return {
    msb: BigInt.asIntN(64, BigInt("0x" + hex.slice(0, 16))),
    lsb: BigInt.asIntN(64, BigInt("0x" + hex.slice(16, 32))),
  };
}

/** Java's `new UUID(msb, lsb).toString()`: lowercase; negative halves are two's complement. */
export function bitsToUuid(msb: bigint, lsb: bigint): string {
  const hex =
    BigInt.asUintN(64, msb).toString(16).padStart(16, "0") + BigInt.asUintN(64, lsb).toString(16).padStart(16, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID as the MSG_UUID message FactCast's RPCs take (fetchById, serialOf, state tokens). */
export function toMsgUuid(uuid: string): MSG_UUID {
  return create(MSG_UUIDSchema, uuidToBits(uuid));
}

/** The text form of a MSG_UUID (or anything with its two halves). */
export function fromMsgUuid(msg: Pick<MSG_UUID, "msb" | "lsb">): string {
  return bitsToUuid(msg.msb, msg.lsb);
}
