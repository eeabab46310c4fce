/** Counts, serials and sizes as the console writes them. */

const grouped = new Intl.NumberFormat("en-US");

/** 1234567 → "1,234,567"; serials and counts arrive as bigint (int64 on the wire). */
export function formatCount(n: bigint | number): string {
  return grouped.format(n);
}

/** Decimal units (what disks and HTTP report); the exact byte count belongs in a title beside it. */
export function formatBytes(bytes: bigint | number): string {
  const n = Number(bytes);
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = n;
  let unit = "B";
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** "1 fact" / "2 facts". */
export function plural(n: bigint | number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 || n === 1n ? one : many}`;
}

/** Facts per second: whole numbers from 10 up (grouped), one decimal below, so a trickle still shows. */
export function formatRate(r: number): string {
  return r >= 10 ? formatCount(Math.round(r)) : r.toFixed(1);
}
