/**
 * A primary and a hot standby on loopback with real PostgreSQL streaming replication, for the tests
 * of FACTLINE_READ_URLS (README "Read replicas"): the machine's PostgreSQL 15 binaries (the embedded
 * 18 from npm ships no pg_basebackup), `initdb` for the primary, `pg_basebackup -R` for the standby.
 * As root both run as the `postgres` OS user, which PostgreSQL requires. Every start and stop is
 * bounded, and a failed start removes what it made.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../../scripts/launch/process.js";
import { queryOnce } from "../../support/pg-query.js";
import {
  PG15_BIN_DIR,
  PG15_OS_USER,
  postgres15Missing,
  runPg15Tool,
  throwawaySettings,
} from "../../support/postgres15.js";

const exec = promisify(execFile);
/** pg_ctl's wait limit for a start or stop; a fresh cluster is ready in about a second. */
const PG_CTL_TIMEOUT_S = 60;
/** A tool that never returns (a base backup waiting on a dead primary) is killed after this long. */
const TOOL_TIMEOUT_MS = 120_000;
/** How long waitForReplay waits for the standby to show the primary's position before failing. */
const REPLAY_WAIT_MS = 30_000;

/** Why the replication tests cannot run here (no PostgreSQL 15 binaries), or undefined when they can. */
export function replicationMissing(): string | undefined {
  const missing = postgres15Missing();
  if (missing) return missing;
  const basebackup = path.join(PG15_BIN_DIR, "pg_basebackup");
  return existsSync(basebackup) ? undefined : `no ${basebackup} to make a standby with`;
}

interface Node {
  data: string;
  port: number;
  logFile: string;
  running: boolean;
}

export class ReplicatedCluster {
  private constructor(
    private readonly dir: string,
    private readonly primary: Node,
    private readonly standby: Node,
  ) {}

  /** Superuser URL of `database` on the primary (default: the `postgres` database). */
  primaryUrl(database = "postgres"): string {
    return urlOf(this.primary.port, database);
  }

  /** Superuser URL of `database` on the standby: read-only, what FACTLINE_READ_URLS names. */
  standbyUrl(database = "postgres"): string {
    return urlOf(this.standby.port, database);
  }

  get standbyPort(): number {
    return this.standby.port;
  }

  /** Starts a primary, takes a base backup of it and starts that as its streaming hot standby. */
  static async start(): Promise<ReplicatedCluster> {
    const missing = replicationMissing();
    if (missing) throw new Error(missing);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-replication-"));
    if (process.getuid?.() === 0) await exec("chown", [PG15_OS_USER, dir]);
    const primary: Node = {
      data: path.join(dir, "primary"),
      port: 0,
      logFile: path.join(dir, "primary.log"),
      running: false,
    };
    const standby: Node = {
      data: path.join(dir, "standby"),
      port: 0,
      logFile: path.join(dir, "standby.log"),
      running: false,
    };
    const cluster = new ReplicatedCluster(dir, primary, standby);
    try {
      primary.port = await freePort();
      // Trust on loopback is fine: the clusters live for one test file and listen on 127.0.0.1 only.
      // initdb's pg_hba.conf lets loopback connect for replication too.
      await tool("initdb", [
        "-D",
        primary.data,
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
      ]);
      await fs.appendFile(
        path.join(primary.data, "postgresql.conf"),
        throwawaySettings(primary.port, [
          "wal_level = replica",
          "max_wal_senders = 5",
          // The standby's base backup and its stream must find the WAL they need after a pause.
          "wal_keep_size = '256MB'",
        ]),
      );
      await cluster.startNode(primary);

      standby.port = await freePort();
      // -R writes standby.signal and primary_conninfo: the copy starts as the primary's hot standby.
      await tool("pg_basebackup", [
        "-h",
        "127.0.0.1",
        "-p",
        String(primary.port),
        "-U",
        "postgres",
        "-D",
        standby.data,
        "-R",
        "-X",
        "stream",
        "--no-sync",
      ]);
      await fs.appendFile(
        path.join(standby.data, "postgresql.conf"),
        throwawaySettings(standby.port, [
          "hot_standby = on",
          // Long catch-up cursors on the standby are not cancelled by the primary's vacuum.
          "hot_standby_feedback = on",
          "wal_receiver_status_interval = '1s'",
        ]),
      );
      await cluster.startNode(standby);
      return cluster;
    } catch (error) {
      const logs = await cluster.logs();
      await cluster.close();
      throw new Error(`replicated PostgreSQL 15 did not start: ${(error as Error).message}\n${logs}`);
    }
  }

  /** Runs SQL as the superuser on the primary. */
  primaryQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
    return queryOnce<T>(this.primaryUrl(database), sql, params);
  }

  /** Runs SQL as the superuser on the standby (read-only). */
  standbyQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
    return queryOnce<T>(this.standbyUrl(database), sql, params);
  }

  /** Waits until the standby has replayed everything the primary had written when called. */
  async waitForReplay(timeoutMs = REPLAY_WAIT_MS): Promise<void> {
    // The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit
    // off a commit can be inserted but not yet written, and a standby that replayed up to the write
    // position would not show it yet.
    const [{ lsn }] = await this.primaryQuery<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ behind }] = await this.standbyQuery<{ behind: boolean }>(
        "SELECT coalesce(pg_last_wal_replay_lsn() < $1::pg_lsn, true) AS behind",
        [lsn],
      );
      if (!behind) return;
      if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${lsn} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** pg_wal_replay_pause(): the standby keeps receiving WAL but shows nothing newer until resumed. */
  async pauseReplay(): Promise<void> {
    await this.standbyQuery("SELECT pg_wal_replay_pause()");
    // Pausing takes effect at the next record; wait until the standby says it is paused.
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const [{ state }] = await this.standbyQuery<{ state: string }>("SELECT pg_get_wal_replay_pause_state() AS state");
      if (state === "paused") return;
      if (Date.now() > deadline) throw new Error(`the standby's replay did not pause (state ${state})`);
      await sleep(20);
    }
  }

  async resumeReplay(): Promise<void> {
    await this.standbyQuery("SELECT pg_wal_replay_resume()");
  }

  /** Stops the standby (`-m fast`: its sessions are told and closed); the primary runs on. */
  async stopStandby(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.stopNode(this.standby, mode);
  }

  /** Starts the standby again on the same port; it resumes streaming from where it stopped. */
  async startStandby(): Promise<void> {
    await this.startNode(this.standby);
  }

  /** The primary's postmaster process id (its CPU, with its backends', is what the bench reports). */
  async primaryPid(): Promise<number | undefined> {
    const pidFile = await fs.readFile(path.join(this.primary.data, "postmaster.pid"), "utf8").catch(() => "");
    const pid = Number(pidFile.split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  isStandbyRunning(): boolean {
    return this.standby.running;
  }

  /** The last lines of both servers' logs, for failure messages. */
  async logs(lines = 30): Promise<string> {
    const tail = async (node: Node, name: string) => {
      const text = await fs.readFile(node.logFile, "utf8").catch(() => "");
      return `--- ${name} log ---\n${text.split("\n").slice(-lines).join("\n")}`;
    };
    return `${await tail(this.primary, "primary")}\n${await tail(this.standby, "standby")}`;
  }

  /** Stops both servers (the standby first) and removes their data. */
  async close(): Promise<void> {
    await this.stopNode(this.standby, "immediate").catch(() => {});
    await this.stopNode(this.primary, "fast").catch(() => {});
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private async startNode(node: Node): Promise<void> {
    if (node.running) return;
    await tool("pg_ctl", ["-D", node.data, "-l", node.logFile, "-w", "-t", String(PG_CTL_TIMEOUT_S), "start"]);
    node.running = true;
  }

  private async stopNode(node: Node, mode: "fast" | "immediate"): Promise<void> {
    if (!node.running) return;
    await tool("pg_ctl", ["-D", node.data, "-m", mode, "-w", "-t", String(PG_CTL_TIMEOUT_S), "stop"]);
    node.running = false;
  }
}

/** A PostgreSQL 15 tool with this harness's time limit (a base backup from a dead primary never returns). */
function tool(name: string, args: string[]): Promise<void> {
  return runPg15Tool(name, args, { cwd: os.tmpdir(), timeoutMs: TOOL_TIMEOUT_MS });
}

function urlOf(port: number, database: string): string {
  return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
