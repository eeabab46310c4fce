// FactCast sends UUIDs as Java's (mostSignificantBits, leastSignificantBits): two signed int64.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The canonical (lowercase) form of a UUID string, or undefined when it is not a UUID. */
export function canonicalUuid(value: unknown): string | undefined {
  return typeof value === "string" && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}

export function uuidToBits(uuid: string): { msb: bigint; lsb: bigint } {
  const hex = uuid.replace(/-/g, "");
  return {
    msb: BigInt.asIntN(64, BigInt("0x" + hex.slice(0, 16))),
    lsb: BigInt.asIntN(64, BigInt("0x" + hex.slice(16, 32))),
  };
}

export function bitsToUuid(msb: bigint, lsb: bigint): string {
  const hex =
    BigInt.asUintN(64, msb).toString(16).padStart(16, "0") + BigInt.asUintN(64, lsb).toString(16).padStart(16, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
