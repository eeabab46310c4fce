// A query's serial range: its serial bounds combined with its days, resolved through FactCast's
// lastSerialBefore / firstSerialAfter. Days are UTC calendar days (MSG_Date carries no zone; the
// store buckets facts by UTC day).
import { create } from "@bufbuild/protobuf";
import type { FactQuery } from "../../../gen/factline/console/v1/console_pb";
import { MSG_DateSchema } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { isUnimplemented } from "../upstream/capabilities";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";

/** Inclusive serial bounds; 0 = open on that side. */
export interface SerialRange {
  from: bigint;
  to: bigint;
  /** Nothing can match (e.g. the days hold no facts); `notice` says why. */
  empty: boolean;
  notice?: string;
}

/**
 * from_date D → serials above lastSerialBefore(D); to_date D → serials below firstSerialAfter(D+1).
 * Combined with the serial bounds, the narrower one wins. `now` is injectable for tests.
 */
export async function resolveRange(upstream: Upstream, q: FactQuery, now: Date = new Date()): Promise<SerialRange> {
  let from = q.fromSerial;
  let to = q.toSerial;
  let notice: string | undefined;
  if (q.fromDate !== "") {
    const dateFrom = (await lastSerialBefore(upstream, q.fromDate)) + 1n;
    if (dateFrom > from) from = dateFrom;
  }
  if (q.toDate !== "" && !isTodayOrLater(q.toDate, now)) {
    const dateTo = await lastSerialOn(upstream, q.toDate);
    if (dateTo === 0n) {
      return { from, to: 0n, empty: true, notice: `No facts were published on or before ${q.toDate} (UTC).` };
    }
    if (to === 0n || dateTo < to) to = dateTo;
  }
  const empty = to !== 0n && from > to;
  if (empty) notice = `The serial range is empty once the days are resolved (from ${from}, to ${to}).`;
  return { from, to, empty, notice };
}

/** The last serial of day D (inclusive): firstSerialAfter(D+1) − 1; 0 when nothing is that old. */
async function lastSerialOn(upstream: Upstream, day: string): Promise<bigint> {
  const next = nextDay(day);
  try {
    const first = (await upstream.facts.firstSerialAfter(toMsgDate(next), { timeoutMs: UNARY_TIMEOUT_MS })).serial;
    return first > 0n ? first - 1n : 0n;
  } catch (err) {
    // FactCast's Java server declares firstSerialAfter but answers UNIMPLEMENTED; the last serial
    // before the next day begins is the same number.
    if (!isUnimplemented(err)) throw err;
    return lastSerialBefore(upstream, next);
  }
}

/** The last serial before UTC day D begins (FactCast's lastSerialBefore). */
export async function lastSerialBefore(upstream: Upstream, day: string): Promise<bigint> {
  return (await upstream.facts.lastSerialBefore(toMsgDate(day), { timeoutMs: UNARY_TIMEOUT_MS })).serial;
}

/**
 * A to_date of today (or later) must stay open: facts still being published today belong to it,
 * and a bound fixed at today's latest serial would hide them from the next page.
 */
function isTodayOrLater(day: string, now: Date): boolean {
  return day >= now.toISOString().slice(0, 10);
}

function toMsgDate(day: string) {
  const [year, month, dayOfMonth] = day.split("-").map(Number);
  return create(MSG_DateSchema, { year, month, day: dayOfMonth });
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
