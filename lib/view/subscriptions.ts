/**
 * Subscriptions and instances in words (/subscriptions, /instances, the overview): what a
 * subscription reads, its mode, durations such as lag and uptime. Pure, for pages and their tests.
 */
import { SubscriptionMode, type SubscriptionSpec } from "../../gen/factline/admin/v1/operations_pb";

export const MODE_LABELS: Record<SubscriptionMode, string> = {
  [SubscriptionMode.UNSPECIFIED]: "unknown",
  [SubscriptionMode.CATCHUP]: "catch-up",
  [SubscriptionMode.FOLLOW]: "follow",
  [SubscriptionMode.EPHEMERAL]: "ephemeral",
};

/** What each mode means, for a tooltip. */
export const MODE_HINTS: Record<SubscriptionMode, string> = {
  [SubscriptionMode.UNSPECIFIED]: "the store did not say",
  [SubscriptionMode.CATCHUP]: "reads what is stored and ends",
  [SubscriptionMode.FOLLOW]: "reads what is stored, then follows new facts",
  [SubscriptionMode.EPHEMERAL]: "follows new facts only",
};

/** "1b2c3d4e…": enough to tell ids apart on a screen; the full id is in a title or on the detail page. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/**
 * One FactSpec in words: "shop / OrderPlaced v2, aggregate 1b2c3d4e…, meta tenant=acme".
 * `full` writes ids out whole (a subscription's own page), else shortened (tables).
 */
export function describeSpec(spec: SubscriptionSpec, options: { full?: boolean } = {}): string {
  const id = (v: string) => (options.full ? v : shortId(v));
  const ns = spec.ns === "*" || spec.ns === "" ? "every namespace" : spec.ns;
  const what = spec.type ? `${ns} / ${spec.type}${spec.version > 0 ? ` v${spec.version}` : ""}` : `${ns} / any type`;
  const parts = [what];
  if (spec.aggIds.length === 1) parts.push(`aggregate ${id(spec.aggIds[0])}`);
  else if (spec.aggIds.length > 1) parts.push(`aggregates ${spec.aggIds.map(id).join(" and ")}`);
  const meta = sortedEntries(spec.meta).map(([k, v]) => `${k}=${v}`);
  if (meta.length > 0) parts.push(`meta ${meta.join(", ")}`);
  for (const [k, present] of sortedEntries(spec.metaKeyExists))
    parts.push(present ? `has meta ${k}` : `lacks meta ${k}`);
  for (const [path, value] of sortedEntries(spec.aggIdProperties)) parts.push(`payload ${path} = ${id(value)}`);
  if (spec.filterScript) parts.push("filtered by a script");
  return parts.join(", ");
}

/** Every spec of a subscription in words, at most `max` of them, with how many were left out. */
export function describeSpecs(specs: SubscriptionSpec[], max = 2): { lines: string[]; more: number } {
  if (specs.length === 0) return { lines: ["nothing (no specs)"], more: 0 };
  return { lines: specs.slice(0, max).map((s) => describeSpec(s)), more: Math.max(0, specs.length - max) };
}

/** The namespaces a subscription reads ("*" for every one), each once, in spec order. */
export function namespacesOf(specs: SubscriptionSpec[]): string[] {
  return [...new Set(specs.map((s) => s.ns || "*"))];
}

/**
 * A span of time as an operator reads it: "850 ms", "4.2 s", "37 s", "4 min 10 s", "3 h 5 min",
 * "2 d 4 h". Lag and uptime both; the exact milliseconds belong in a title beside it.
 */
export function formatDuration(ms: number | bigint): string {
  const n = Math.max(0, Number(ms));
  if (n < 1_000) return `${Math.round(n)} ms`;
  const s = n / 1_000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** How a subscription's lag reads at a glance. */
export type LagTone = "none" | "some" | "far";

/**
 * Whether a lag is worth the reader's eye: waiting facts for more than a few beats is "far" (a
 * consumer that keeps up clears its queue within a heartbeat or two), any waiting fact is "some".
 */
export function lagTone(lagFacts: bigint, lagMs: bigint, heartbeatMs = 2_000): LagTone {
  if (lagFacts === 0n) return "none";
  return Number(lagMs) > 5 * heartbeatMs ? "far" : "some";
}

function sortedEntries<V>(record: Record<string, V>): [string, V][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The store's rule for an end reason (proto/factline/admin/v1/operations.proto): it is shown to the
 * client in a status message and kept in the audit trail, so one line of at most 500 characters.
 * Checked while typing so the user fixes it before asking; the store checks again.
 */
export const MAX_END_REASON = 500;

/** What is wrong with a reason, in words; undefined when the store will take it. */
export function endReasonProblem(reason: string): string | undefined {
  const trimmed = reason.trim();
  if (/\p{Cc}/u.test(trimmed)) return "Write the reason on one line, without tabs or line breaks.";
  if (trimmed.length > MAX_END_REASON)
    return `The reason is ${trimmed.length} characters long; the store keeps at most ${MAX_END_REASON}.`;
  return undefined;
}
