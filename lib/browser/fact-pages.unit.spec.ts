import { describe, expect, it } from "vitest";
import { Order } from "../../gen/factline/console/v1/console_pb";
import type { FactRow } from "../view/facts";
import { backParam, forwardParam, type Direction, type LoadedPage } from "./fact-pages";

const row = (serial: number) => ({ serial: BigInt(serial) }) as FactRow;
function page(
  serials: number[],
  opts: { hasMore?: boolean; next?: number; direction?: Direction; strategy?: string } = {},
): LoadedPage {
  return {
    rows: serials.map(row),
    hasMore: opts.hasMore ?? false,
    nextCursor: BigInt(opts.next ?? 0),
    strategy: opts.strategy ?? "keyset",
    resolvedFromSerial: 0n,
    resolvedToSerial: 0n,
    notices: [],
    direction: opts.direction ?? "forward",
  };
}

describe("forward pages", () => {
  it("continue at the backend's cursor while it has more", () => {
    expect(forwardParam([page([9, 8], { hasMore: true, next: 8 })], Order.NEWEST_FIRST, 0n, false)).toEqual({
      cursor: 8n,
      direction: "forward",
    });
  });

  it("end at the oldest fact when newest first", () => {
    expect(forwardParam([page([9, 8])], Order.NEWEST_FIRST, 0n, false)).toBeUndefined();
  });

  it("stay open oldest first (newer facts may come), after the last row, unless bounded", () => {
    const pages = [page([1, 2], { hasMore: true, next: 2 }), page([3, 4]), page([])];
    expect(forwardParam(pages, Order.OLDEST_FIRST, 0n, false)).toEqual({ cursor: 4n, direction: "forward" });
    expect(forwardParam(pages, Order.OLDEST_FIRST, 0n, true)).toBeUndefined();
  });
});

describe("back pages", () => {
  it("newest first from the top: after the first row, always (facts keep arriving)", () => {
    const pages = [page([12, 11], { direction: "back" }), page([10, 9])];
    expect(backParam(pages, Order.NEWEST_FIRST, 0n)).toEqual({ cursor: 12n, direction: "back" });
  });

  it("oldest first from the start: none", () => {
    expect(backParam([page([1, 2])], Order.OLDEST_FIRST, 0n)).toBeUndefined();
  });

  it("from a cursor: the other side, until a back page finds the range's start", () => {
    expect(backParam([page([11, 12])], Order.OLDEST_FIRST, 10n)).toEqual({ cursor: 11n, direction: "back" });
    expect(backParam([page([9, 10], { direction: "back" }), page([11, 12])], Order.OLDEST_FIRST, 10n)).toBeUndefined();
    // nothing after the cursor yet: start right at it (cursors are exclusive)
    expect(backParam([page([])], Order.NEWEST_FIRST, 50n)).toEqual({ cursor: 49n, direction: "back" });
  });

  it("never with catch-up, which reads oldest first only", () => {
    expect(backParam([page([5, 6], { strategy: "catch-up" })], Order.NEWEST_FIRST, 0n)).toBeUndefined();
  });
});
