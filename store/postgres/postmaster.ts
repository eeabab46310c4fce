/**
 * The server of a data directory as its postmaster.pid tells it — alive or not, ready or not — and
 * how to stop it. Several processes look at one data directory (every store on the same
 * FACTLINE_DATA_DIR), so nothing here trusts a pid without checking that it still serves the
 * directory: after a crash the pid may belong to some other program.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

export interface Postmaster {
  pid: number;
  port: number;
}

/** Fast shutdown normally takes well under a second; the contract allows 10 s for all of Ctrl-C. */
const FAST_STOP_TIMEOUT_MS = 6_000;
const IMMEDIATE_STOP_TIMEOUT_MS = 2_000;
const POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function pidFileOf(pgdata: string): string {
  return path.join(pgdata, "postmaster.pid");
}

/**
 * The postmaster recorded in postmaster.pid if it is alive and serves this data dir, once it is
 * ready (waiting up to `timeoutMs` while it starts). A stale file from a killed run is removed so
 * PostgreSQL does not trip over a recycled pid.
 */
export async function livePostmaster(pgdata: string, timeoutMs: number): Promise<Postmaster | undefined> {
  const pidFile = pidFileOf(pgdata);
  for (const deadline = Date.now() + timeoutMs; ;) {
    let content: string;
    try {
      content = await fs.readFile(pidFile, "utf8");
    } catch {
      return undefined;
    }
    const lines = content.split("\n");
    const pid = Number(lines[0]);
    if (!(pid > 0) || !servesDataDir(pid, pgdata)) {
      // A killed postmaster's backends outlive it for a moment and still use its shared memory;
      // PostgreSQL's own check for that needs this file, so it goes only once they are gone.
      await backendsGone(pgdata, deadline);
      // Only the file judged stale: a server that started meanwhile has written its own.
      if ((await fs.readFile(pidFile, "utf8").catch(() => "")) !== content) continue;
      await fs.rm(pidFile, { force: true });
      return undefined;
    }
    // Lines: pid, datadir, start time, port, socket dir, listen address, shmem key, status.
    const port = Number(lines[3]);
    if (lines[7]?.trim() === "ready" && port > 0) return { pid, port };
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL (pid ${pid}) for ${pgdata} has not become ready in ${timeoutMs / 1000} s`);
    await sleep(POLL_MS * 2);
  }
}

/** The pid of the postmaster serving `pgdata` right now, ready or not; undefined when none does. */
export function currentPostmaster(pgdata: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFileOf(pgdata), "utf8").split("\n")[0]);
    return pid > 0 && servesDataDir(pid, pgdata) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (until `deadline`) for every process working in `pgdata` (orphaned backends) to exit. */
async function backendsGone(pgdata: string, deadline: number): Promise<void> {
  if (!hasProc()) return;
  const target = await fs.realpath(pgdata);
  for (;;) {
    const pids = (await fs.readdir("/proc")).filter((name) => /^\d+$/.test(name));
    const cwds = await Promise.all(pids.map((pid) => fs.readlink(`/proc/${pid}/cwd`).catch(() => "")));
    if (!cwds.includes(target) || Date.now() > deadline) return;
    await sleep(POLL_MS);
  }
}

/** `pid` is a running process (not a zombie) that serves `pgdata`. */
export function servesDataDir(pid: number, pgdata: string): boolean {
  if (!isRunning(pid)) return false;
  if (!hasProc()) return true; // no /proc (macOS): a live pid is the best evidence
  try {
    // The postmaster chdirs into its data dir; a recycled pid belongs to some other program.
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(pgdata);
  } catch {
    // cwd is hidden for some processes (init, other users); the command line still tells.
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      /* gone meanwhile */
    }
    return cmdline.includes("postgres") && cmdline.includes(pgdata);
  }
}

/**
 * Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) and finally SIGKILL if it hangs. Without
 * `child` (a server another process started) the pid is signalled only while it serves `pgdata`.
 */
export async function stopPostmaster(pid: number, pgdata: string, child?: ChildProcess): Promise<void> {
  if (!child && !servesDataDir(pid, pgdata)) return;
  const gone = () => (child ? child.exitCode !== null || child.signalCode !== null : !isRunning(pid));
  for (const [signal, timeout] of [
    ["SIGINT", FAST_STOP_TIMEOUT_MS],
    ["SIGQUIT", IMMEDIATE_STOP_TIMEOUT_MS],
    ["SIGKILL", IMMEDIATE_STOP_TIMEOUT_MS],
  ] as const) {
    if (gone()) return;
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    for (const deadline = Date.now() + timeout; Date.now() < deadline && !gone();) await sleep(POLL_MS / 2);
  }
  if (!gone()) throw new Error(`PostgreSQL (pid ${pid}) did not stop even after SIGKILL`);
}

/**
 * The process exists and has not exited. A zombie (exited, not yet reaped by its parent) counts as
 * gone: a postmaster whose starter was killed may linger so until init reaps it.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return processState(pid) !== "Z";
}

/** The kernel's start time of `pid` (clock ticks since boot), which tells a recycled pid apart; "" without /proc. */
export function processStartTime(pid: number): string {
  return statFields(pid)?.[19] ?? "";
}

function processState(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** /proc/<pid>/stat after the command name: state, ppid, … (field 3 onwards of proc(5)). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

let procAvailable: boolean | undefined;
function hasProc(): boolean {
  if (procAvailable === undefined) {
    try {
      readlinkSync("/proc/self/cwd");
      procAvailable = true;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable;
}
