/**
 * CPU time of processes other than the harness, from /proc (Linux): the store process, and
 * PostgreSQL's postmaster with all its backends. Reported beside each figure so a reader sees which
 * side was busy. Resolution is one clock tick (10 ms); backends that exit inside a window take
 * their time with them, so PostgreSQL's figure is a lower bound.
 */
import fs from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

function readStat(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** CPU ms used so far by `pid` itself (undefined when it is gone or /proc is missing). */
export function processCpuMs(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readStat(pid)?.cpuMs;
}

/** CPU ms used so far by `pid` and its direct children (postmaster + backends). */
export function processTreeCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const own = readStat(pid);
  if (!own) return undefined;
  let total = own.cpuMs;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === pid) total += stat.cpuMs;
  }
  return total;
}
