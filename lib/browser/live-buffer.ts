/**
 * The live view's buffer: what the list shows, newest first, capped. Pure (no React, no network)
 * so the rules that keep a live list honest — no duplicate, nothing shown out of order, drops
 * counted — are testable without a browser. The stream hook (./live-stream.ts) feeds it batches.
 */
import type { FactRow } from "../view/facts";

/**
 * Default cap. Rows carry payload previews (a few hundred bytes each), so 5,000 rows stay around a
 * few MB: at 1,000 facts/s the list still holds the last 5 s, and memory stays flat however long
 * the tab watches. Adjustable in the UI between the bounds below.
 */
export const DEFAULT_BUFFER_CAP = 5_000;
/** Below this a burst scrolls out of the list before anyone can read it. */
export const MIN_BUFFER_CAP = 100;
/** Above this the tab holds tens of MB of previews; /facts is the place for larger result sets. */
export const MAX_BUFFER_CAP = 50_000;

/** A row of the list: a fact, or a marker where the stream was re-established. */
export type LiveItem =
  | { kind: "fact"; key: string; fact: FactRow }
  | { kind: "marker"; key: string; atMs: number; afterSerial: bigint; reason: string };

export interface LiveBuffer {
  /** Newest first; at most `cap` facts (markers do not count against it). */
  items: LiveItem[];
  cap: number;
  /** The last fact accepted (shown or waiting while paused): a reconnect resumes after it. */
  lastSerial: bigint;
  lastId: string;
  /** Accepted facts while paused, not yet in `items`' visible part (see `visibleFrom`). */
  paused: boolean;
  newWhilePaused: number;
  /** Facts the cap pushed out since the last clear. */
  dropped: number;
  /** Facts accepted since the last clear. */
  received: number;
  /** While paused the list shows `items` as they were: the snapshot taken at pause. */
  frozen: LiveItem[] | null;
}

export function emptyBuffer(cap = DEFAULT_BUFFER_CAP, resumeAfter = 0n): LiveBuffer {
  return {
    items: [],
    cap,
    lastSerial: resumeAfter,
    lastId: "",
    paused: false,
    newWhilePaused: 0,
    dropped: 0,
    received: 0,
    frozen: null,
  };
}

/**
 * Adds facts that arrived in serial order (oldest first). A fact at or below the last accepted
 * serial is dropped: after a reconnect the backend may replay the edge, and a duplicate row
 * would be worse than none.
 */
export function appendFacts(buf: LiveBuffer, batch: FactRow[]): LiveBuffer {
  const fresh: LiveItem[] = [];
  let last = buf.lastSerial;
  let lastId = buf.lastId;
  for (const f of batch) {
    if (f.serial <= last) continue;
    last = f.serial;
    lastId = f.id;
    fresh.push({ kind: "fact", key: `f${f.serial}`, fact: f });
  }
  if (fresh.length === 0) return buf;
  fresh.reverse();
  const { items, dropped } = capItems([...fresh, ...buf.items], buf.cap);
  return {
    ...buf,
    items,
    lastSerial: last,
    lastId,
    received: buf.received + fresh.length,
    dropped: buf.dropped + dropped,
    newWhilePaused: buf.paused ? buf.newWhilePaused + fresh.length : 0,
  };
}

/** Marks where the stream was re-established, at the top of the list. */
export function addMarker(buf: LiveBuffer, reason: string, atMs = Date.now()): LiveBuffer {
  const marker: LiveItem = {
    kind: "marker",
    key: `m${atMs}-${buf.lastSerial}`,
    atMs,
    afterSerial: buf.lastSerial,
    reason,
  };
  return { ...buf, items: [marker, ...buf.items] };
}

export function setPaused(buf: LiveBuffer, paused: boolean): LiveBuffer {
  if (paused === buf.paused) return buf;
  return paused
    ? { ...buf, paused, frozen: buf.items, newWhilePaused: 0 }
    : { ...buf, paused, frozen: null, newWhilePaused: 0 };
}

/** Empties the list but keeps the position: the watch continues after the last fact seen. */
export function clearBuffer(buf: LiveBuffer): LiveBuffer {
  return {
    ...emptyBuffer(buf.cap, buf.lastSerial),
    lastId: buf.lastId,
    paused: buf.paused,
    frozen: buf.paused ? [] : null,
  };
}

export function setCap(buf: LiveBuffer, cap: number): LiveBuffer {
  const bounded = Math.min(MAX_BUFFER_CAP, Math.max(MIN_BUFFER_CAP, Math.round(cap)));
  const { items, dropped } = capItems(buf.items, bounded);
  return { ...buf, cap: bounded, items, dropped: buf.dropped + dropped };
}

/** What the list shows now: the snapshot while paused, everything otherwise. */
export function visibleItems(buf: LiveBuffer): LiveItem[] {
  return buf.frozen ?? buf.items;
}

/** Keeps the newest `cap` facts (and the markers among them). */
function capItems(items: LiveItem[], cap: number): { items: LiveItem[]; dropped: number } {
  let facts = 0;
  for (let i = 0; i < items.length; i++) {
    if (items[i].kind === "fact" && ++facts > cap) {
      const dropped = items.slice(i).filter((it) => it.kind === "fact").length;
      return { items: items.slice(0, i), dropped };
    }
  }
  return { items, dropped: 0 };
}

/** Case-insensitive text filter over what a row shows: type, namespace, ids, meta and payload preview. */
export function matchesText(item: LiveItem, needle: string): boolean {
  if (needle === "") return true;
  if (item.kind === "marker") return true;
  const f = item.fact;
  const n = needle.toLowerCase();
  return (
    f.type.toLowerCase().includes(n) ||
    f.ns.toLowerCase().includes(n) ||
    f.id.includes(n) ||
    f.serial.toString() === n ||
    f.aggIds.some((a) => a.includes(n)) ||
    f.headerJson.toLowerCase().includes(n) ||
    f.payloadJson.toLowerCase().includes(n)
  );
}
