/**
 * Where the fact browser's next page starts, at either end of the list. Pure (no React, no
 * network) so the rules that keep paging correct while facts arrive are unit-tested.
 */
import { Order } from "../../gen/factline/console/v1/console_pb";
import type { FactPage } from "../view/facts";

export type Direction = "forward" | "back";
export interface PageParam {
  /** Keyset cursor: continue after this serial (exclusive). */
  cursor: bigint;
  /** forward = the list's order, after its last row; back = the opposite order, before its first. */
  direction: Direction;
}
export type LoadedPage = FactPage & { direction: Direction };

/** "catch-up": a plain FactCast server, read oldest first whatever was asked (the backend says so in a notice). */
export const CATCH_UP = "catch-up";

export const opposite = (order: Order) => (order === Order.NEWEST_FIRST ? Order.OLDEST_FIRST : Order.NEWEST_FIRST);

/** The order the pages are really in. */
export function servedOrder(pages: LoadedPage[], asked: Order): Order {
  return pages[0]?.strategy === CATCH_UP ? Order.OLDEST_FIRST : asked;
}

/**
 * After the last row. While the backend says there is more, continue at its cursor. Oldest first
 * and not bounded above, the end of the list is "now": facts published later continue it, so a
 * page is still offered, for an explicit "check for newer" only (the table's automatic loading
 * follows `hasMore`, not this).
 */
export function forwardParam(
  pages: LoadedPage[],
  order: Order,
  start: bigint,
  boundedAbove: boolean,
): PageParam | undefined {
  const last = pages.at(-1); // always a forward page: back pages are put in front
  if (!last) return undefined;
  if (last.hasMore) return { cursor: last.nextCursor, direction: "forward" };
  if (servedOrder(pages, order) !== Order.OLDEST_FIRST || boundedAbove) return undefined;
  const lastRow = pages.findLast((p) => p.rows.length > 0)?.rows.at(-1);
  return { cursor: lastRow?.serial ?? start, direction: "forward" };
}

/**
 * Before the first row. Newest first from the top: facts that arrived since (that end never
 * closes). From a cursor (either order): the facts on the other side of it. Oldest first from the
 * range's start there is nothing before the first row; catch-up cannot read backwards at all.
 */
export function backParam(pages: LoadedPage[], order: Order, start: bigint): PageParam | undefined {
  if (pages.length === 0 || pages.some((p) => p.strategy === CATCH_UP)) return undefined;
  if (order === Order.OLDEST_FIRST && start === 0n) return undefined;
  if (pages[0].direction === "back" && !pages[0].hasMore && order === Order.OLDEST_FIRST) return undefined;
  const first = pages.find((p) => p.rows.length > 0)?.rows[0];
  if (first) return { cursor: first.serial, direction: "back" };
  if (start === 0n) return undefined; // an empty list from the range's end: a refetch covers it
  // Nothing after the cursor: the other side starts at the cursor itself (cursors are exclusive).
  return { cursor: order === Order.NEWEST_FIRST ? start - 1n : start + 1n, direction: "back" };
}
