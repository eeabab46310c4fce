import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bitsToUuid, canonicalUuid, fromMsgUuid, isUuid, toMsgUuid, uuidToBits } from "./uuid";

describe("Java UUID halves", () => {
  it("match Java's getMost/LeastSignificantBits, negative halves included", () => {
    // Java: new UUID(-1L, 1L).toString() is ffffffff-ffff-ffff-0000-000000000001.
    expect(uuidToBits("ffffffff-ffff-ffff-0000-000000000001")).toEqual({ msb: -1n, lsb: 1n });
    // UUID.fromString("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"): msb -568210367123287600, lsb -6384696206158828554.
    expect(uuidToBits("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")).toEqual({
      msb: -568210367123287600n,
      lsb: -6384696206158828554n,
    });
    expect(uuidToBits("00000000-0000-0000-0000-000000000000")).toEqual({ msb: 0n, lsb: 0n });
    expect(uuidToBits("80000000-0000-0000-7fff-ffffffffffff")).toEqual({
      msb: -(2n ** 63n),
      lsb: 2n ** 63n - 1n,
    });
  });

  it("round-trip through MSG_UUID in lowercase", () => {
    for (let i = 0; i < 200; i++) {
      const id = randomUUID();
      expect(fromMsgUuid(toMsgUuid(id))).toBe(id);
      expect(fromMsgUuid(toMsgUuid(id.toUpperCase()))).toBe(id);
    }
    expect(bitsToUuid(-1n, -1n)).toBe("ffffffff-ffff-ffff-ffff-ffffffffffff");
    expect(bitsToUuid(0n, 255n)).toBe("00000000-0000-0000-0000-0000000000ff");
  });

  it("refuse what is not a UUID instead of addressing another fact", () => {
    for (const bad of [
      "",
      "not-a-uuid",
      "f81d4fae7dec11d0a76500a0c91e6bf6",
      "f81d4fae-7dec-11d0-a765-00a0c91e6bf",
      "g81d4fae-7dec-11d0-a765-00a0c91e6bf6",
      " f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    ]) {
      expect(() => toMsgUuid(bad), bad).toThrow(/not a UUID/);
      expect(isUuid(bad), bad).toBe(false);
      expect(canonicalUuid(bad), bad).toBeUndefined();
    }
    expect(isUuid(42)).toBe(false);
    expect(canonicalUuid("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")).toBe("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  });
});
