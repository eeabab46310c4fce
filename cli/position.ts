// Turns --from/--after into what FactCast's subscribe understands: `startingAfter`, the id of the
// last fact the consumer already has. Serials and dates need the store to find that fact.
import { Order } from "../gen/factline/admin/v1/admin_pb";
import { rejectedError } from "./errors";
import type { Position, StartOptions } from "./spec-options";
import type { StoreClient } from "../factcast/client";
import { isUnimplemented } from "../factcast/errors";
import { toMsgUuid } from "../factcast/uuid";

export interface StartPoint {
  /** Deliver facts after this fact id; undefined = from the beginning (or from now if ephemeral). */
  startingAfter?: string;
  /** Skip history, start at the current end of the log (follow without --from). */
  ephemeral: boolean;
  /**
   * Drop delivered facts below this serial. Set when no fact sits exactly before the requested
   * serial (serials have gaps, e.g. after rolled-back publishes), so the subscription starts earlier
   * and the CLI trims the excess; correct on any FactCast server, merely slower.
   */
  minSerial?: bigint;
}

export const FROM_START: StartPoint = { ephemeral: false };

/** `--from`: the position itself is included. */
export async function startFrom(store: StoreClient, position: Position, signal: AbortSignal): Promise<StartPoint> {
  switch (position.kind) {
    case "serial":
      return position.serial <= 1n ? FROM_START : startAfterSerial(store, position.serial - 1n, signal);
    case "id":
      return startAfterSerial(store, (await serialOfId(store, position.id, signal)) - 1n, signal);
    case "date": {
      // lastSerialBefore is FactCast's (firstSerialAfter is not served by FactCast's own server).
      const { serial } = await store.facts.lastSerialBefore(
        { year: position.year, month: position.month, day: position.day },
        { signal },
      );
      return startAfterSerial(store, serial, signal);
    }
  }
}

/** Where `--from` or `--after` start, or `otherwise` when neither was given. */
export async function startOf(
  store: StoreClient,
  options: StartOptions,
  otherwise: StartPoint,
  signal: AbortSignal,
): Promise<StartPoint> {
  if (options.from) return startFrom(store, options.from, signal);
  if (options.after) return startAfter(store, options.after, signal);
  return otherwise;
}

/** `--after`: the position itself is excluded, as FactCast's startingAfter does it. */
export async function startAfter(store: StoreClient, position: Position, signal: AbortSignal): Promise<StartPoint> {
  if (position.kind === "id") {
    // A FactCast server replays everything for an unknown id; make that a clear error instead.
    await serialOfId(store, position.id, signal);
    return { ephemeral: false, startingAfter: position.id };
  }
  if (position.kind === "serial") return startAfterSerial(store, position.serial, signal);
  throw new Error("--after takes a serial or a fact id"); // the option parser already refused dates
}

async function serialOfId(store: StoreClient, id: string, signal: AbortSignal): Promise<bigint> {
  const res = await store.facts.serialOf(toMsgUuid(id), { signal });
  if (!res.present) throw rejectedError(`the store has no fact with id ${id}`);
  return res.serial;
}

async function startAfterSerial(store: StoreClient, serial: bigint, signal: AbortSignal): Promise<StartPoint> {
  if (serial <= 0n) return FROM_START;
  const exact = await store.facts.fetchBySerial({ serial }, { signal });
  if (exact.present && exact.fact) return { ephemeral: false, startingAfter: idOf(exact.fact.header) };
  // A gap: find the nearest fact before it (factline's query service), else start from scratch.
  const minSerial = serial + 1n;
  try {
    const page = await store.query.queryFacts(
      { beforeSerial: minSerial, order: Order.NEWEST_FIRST, limit: 1, payloadPreviewBytes: 1 },
      { signal },
    );
    const nearest = page.facts[0];
    return nearest
      ? { ephemeral: false, startingAfter: idOf(nearest.header), minSerial }
      : { ephemeral: false, minSerial };
  } catch (err) {
    if (isUnimplemented(err)) return { ephemeral: false, minSerial };
    throw err;
  }
}

function idOf(headerText: string): string {
  return String((JSON.parse(headerText) as { id: unknown }).id);
}
