import { describe, expect, it } from "vitest";
import { resolveGoTo } from "./goto";
import { nameMatcher } from "./name-filter";
import { formatBytes, formatCount, formatRate } from "./numbers";
import { formatTimestamp } from "./time";

describe("go-to box", () => {
  it("takes a serial, a fact id, or explains", () => {
    expect(resolveGoTo(" 1042 ")).toEqual({ href: "/facts/1042" });
    expect(resolveGoTo("#7")).toEqual({ href: "/facts/7" });
    expect(resolveGoTo("3F2504E0-4F89-11D3-9A0C-0305E82C3301")).toEqual({
      href: "/facts/id/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    });
    expect(resolveGoTo("0")).toHaveProperty("error");
    expect(resolveGoTo("users")).toHaveProperty("error");
  });
});

describe("formatting", () => {
  it("writes times with their zone, to the millisecond", () => {
    expect(formatTimestamp(Date.UTC(2025, 2, 31, 14, 2, 11, 7), "utc")).toBe("2025-03-31 14:02:11.007 UTC");
    expect(formatTimestamp(0, "utc")).toBe("—");
  });

  it("writes counts grouped and sizes in decimal units", () => {
    expect(formatCount(1234567n)).toBe("1,234,567");
    expect([999, 1500, 5_242_880].map(formatBytes)).toEqual(["999 B", "1.50 kB", "5.24 MB"]);
  });

  it("filters names by substring or glob", () => {
    expect(["users", "orders", "user-audit"].filter(nameMatcher("user*"))).toEqual(["users", "user-audit"]);
    expect(["users", "orders"].filter(nameMatcher("DER"))).toEqual(["orders"]);
  });
});

describe("rates", () => {
  it("groups busy rates and keeps a decimal for a trickle", () => {
    expect(formatRate(1234.4)).toBe("1,234");
    expect(formatRate(0.25)).toBe("0.3");
    expect(formatRate(0)).toBe("0.0");
  });
});
