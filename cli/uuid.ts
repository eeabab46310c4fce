// UUIDs as FactCast puts them on the wire: MSG_UUID holds Java's most/least significant bits as
// signed 64-bit integers.
import { create } from "@bufbuild/protobuf";
import { MSG_UUIDSchema, type MSG_UUID } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export function toMsgUuid(uuid: string): MSG_UUID {
  const hex = uuid.replace(/-/g, "");
  return create(MSG_UUIDSchema, {
    msb: BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)),
    lsb: BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)),
  });
}

export function fromMsgUuid(msg: Pick<MSG_UUID, "msb" | "lsb">): string {
  const hex =
    BigInt.asUintN(64, msg.msb).toString(16).padStart(16, "0") +
    BigInt.asUintN(64, msg.lsb).toString(16).padStart(16, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
