/**
 * Timestamps as the console shows them: ISO-like, to the millisecond, in UTC or the browser's
 * zone, always with the zone written out so a screenshot or a copied value is never ambiguous
 * (users of other consoles keep filing "which zone is this?", e.g. tchiotludo/akhq#1400).
 */
import type { TimeZoneChoice } from "./preferences";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "2025-03-31 14:02:11.123 UTC" or "2025-03-31 16:02:11.123 +02:00"; "—" for unknown (0). */
export function formatTimestamp(ms: number, zone: TimeZoneChoice): string {
  if (!ms) return "—";
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  if (zone === "utc") {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${offsetOf(d)}`;
}

/** The same without milliseconds and zone, for dense table cells (the column header names the zone). */
export function formatTimestampShort(ms: number, zone: TimeZoneChoice): string {
  if (!ms) return "—";
  const d = new Date(ms);
  if (zone === "utc") {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** What a column header says about the zone: "UTC" or "local, +02:00". */
export function zoneLabel(zone: TimeZoneChoice, at = new Date()): string {
  return zone === "utc" ? "UTC" : `local, ${offsetOf(at)}`;
}

/** "+02:00" for the browser's offset at that instant (it changes with daylight saving time). */
export function offsetOf(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "just now", "5 min ago", "3 h ago", "12 days ago": a glance at activity, never the only time shown. */
export function formatAge(ms: number, now = Date.now()): string {
  if (!ms) return "";
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return "in the future";
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  const days = Math.round(h / 24);
  if (days < 60) return `${days} days ago`;
  const months = Math.round(days / 30);
  if (months < 24) return `${months} months ago`;
  return `${Math.round(days / 365)} years ago`;
}
