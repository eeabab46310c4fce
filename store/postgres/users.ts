/**
 * Who uses the embedded PostgreSQL of a data directory, so that several stores can share one
 * FACTLINE_DATA_DIR: each user (every handle startEmbeddedPostgres returns, in whichever process)
 * leaves a file in <dataDir>/postgres-users, and the last one to leave stops the server — the first
 * store stopping never pulls the database from under a second one. A file names its process id and
 * that process's start time, so the file of a store that was killed (kill -9, a crash) does not
 * count once its process is gone, even if another program later gets the same pid.
 *
 * Starting, restarting and stopping the server are serialized across processes by a lock file
 * (<dataDir>/postgres-start.lock), so two stores that see the server die restart it once, and a store
 * joining while the last user leaves either keeps the server running or starts it again.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, unlinkSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { currentPostmaster, isRunning, processStartTime } from "./postmaster";

const USERS_DIR = "postgres-users";
const LOCK_FILE = "postgres-start.lock";
const LOCK_POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** This process's registrations, released by the exit hook if the process ends without stop(). */
const registered = new Map<string, { dataDir: string; pgdata: string }>();
let exitHookInstalled = false;

/** Registers a user of the server in `dataDir`; returns the registration's file. */
export async function registerUser(dataDir: string, pgdata: string): Promise<string> {
  const dir = path.join(dataDir, USERS_DIR);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(
    dir,
    `${process.pid}-${processStartTime(process.pid) || "0"}-${randomBytes(4).toString("hex")}`,
  );
  await fs.writeFile(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + "\n");
  registered.set(file, { dataDir, pgdata });
  installExitHook();
  return file;
}

/** Removes a registration; returns how many live users of the server remain. */
export async function releaseUser(file: string): Promise<number> {
  const entry = registered.get(file);
  registered.delete(file);
  await fs.rm(file, { force: true });
  return entry ? liveUsers(entry.dataDir) : 0;
}

/** Registrations whose process still runs; those of dead processes are removed on the way. */
export function liveUsers(dataDir: string): number {
  const dir = path.join(dataDir, USERS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let live = 0;
  for (const name of names) {
    const [pid, started] = name.split("-");
    if (isRunning(Number(pid)) && (started === "0" || processStartTime(Number(pid)) === started)) live++;
    else rmSync(path.join(dir, name), { force: true });
  }
  return live;
}

/**
 * Runs `work` holding the data dir's start lock. A lock left by a process that died is taken over;
 * a live holder is waited for up to `timeoutMs` (a start or a stop takes seconds, not more).
 */
export async function withStartLock<T>(dataDir: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const file = path.join(dataDir, LOCK_FILE);
  const mine = `${process.pid}-${processStartTime(process.pid) || "0"}-${randomBytes(4).toString("hex")}`;
  for (const deadline = Date.now() + timeoutMs; ;) {
    try {
      await fs.writeFile(file, mine, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await fs.readFile(file, "utf8").catch(() => "");
    const [pid, started] = holder.split("-");
    const dead =
      holder !== "" && !(isRunning(Number(pid)) && (started === "0" || processStartTime(Number(pid)) === started));
    if (dead) {
      // Its holder was killed mid-start: take the lock over, unless someone else already did.
      if ((await fs.readFile(file, "utf8").catch(() => "")) === holder) await fs.rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(
        `another process (pid ${pid}) has been starting or stopping PostgreSQL in ${dataDir} for over ${timeoutMs / 1000} s`,
      );
    await sleep(LOCK_POLL_MS);
  }
  try {
    return await work();
  } finally {
    if ((await fs.readFile(file, "utf8").catch(() => "")) === mine) await fs.rm(file, { force: true });
  }
}

/**
 * A process that ends without stopping its handles (a crash, process.exit) still leaves: its
 * registrations go, and a server nobody else uses gets a fast shutdown (SIGINT) instead of running on.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    const servers = new Map<string, string>();
    for (const [file, { dataDir, pgdata }] of registered) {
      try {
        unlinkSync(file);
      } catch {
        /* already gone */
      }
      servers.set(dataDir, pgdata);
    }
    registered.clear();
    for (const [dataDir, pgdata] of servers) {
      if (liveUsers(dataDir) > 0) continue;
      const pid = currentPostmaster(pgdata);
      try {
        if (pid) process.kill(pid, "SIGINT");
      } catch {
        /* already gone */
      }
    }
  });
}
