/**
 * A PostgreSQL of a test's own that the test stops, kills and restarts: the embedded binaries on a
 * temporary data directory, always on the same port, so the stores' DATABASE_URL stays valid across
 * restarts. Throwaway settings (fsync and the server's synchronous_commit off): what the store's
 * sessions ask for themselves is then what keeps acknowledged facts safe from a killed server.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type RunningPostgres } from "../../../store/postgres/embedded";
import { isRunning } from "../../../store/postgres/postmaster";
import { createTestDatabase, type TestDatabase } from "../../support/database";
import { queryOnce } from "../../support/pg-query";

/** A restart right after a kill waits for the dead server's backends to let go of its memory. */
const RESTART_TIMEOUT_MS = 30_000;
const RESTART_SPACING_MS = 200;
/** Every connection the store opens is named `factline-store <role>` (store/storage/db.ts). */
export const STORE_CONNECTIONS = "factline-store%";

export interface Backend {
  pid: number;
  application: string;
  state: string;
  query: string;
}

export class FaultCluster {
  private running?: RunningPostgres;

  private constructor(
    private readonly dataDir: string,
    /** Superuser URL of the cluster's `factline` database. */
    readonly url: string,
    readonly port: number,
    running: RunningPostgres,
  ) {
    this.running = running;
  }

  static async start(): Promise<FaultCluster> {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-faults-"));
    try {
      const running = await startEmbeddedPostgres({ dataDir, ephemeral: true });
      return new FaultCluster(dataDir, running.url, running.port, running);
    } catch (error) {
      await fs.rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The postmaster's pid while it runs. */
  get pid(): number | undefined {
    return this.running?.pid;
  }

  isRunning(): boolean {
    return this.running !== undefined;
  }

  /** A fresh database on this cluster, for one store setup. */
  createDatabase(label: string): Promise<TestDatabase> {
    return createTestDatabase(this.url, label);
  }

  /** `pg_ctl stop -m fast`: sessions are told (57P01) and closed, then the server exits cleanly. */
  async stopFast(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }

  /** `kill -9` of the postmaster: no shutdown at all; its backends notice and exit on their own. */
  async killPostmaster(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    const pid = running.pid;
    process.kill(pid, "SIGKILL");
    for (const deadline = Date.now() + 10_000; isRunning(pid) && Date.now() < deadline;) await sleep(20);
    // This process no longer uses the dead server: its handle leaves (there is nothing to stop).
    await running.stop();
  }

  /** Starts the server again on the same port; after a kill, as soon as its old memory is free. */
  async start(): Promise<void> {
    if (this.running) return;
    let lastError: unknown;
    for (const deadline = Date.now() + RESTART_TIMEOUT_MS; Date.now() < deadline; await sleep(RESTART_SPACING_MS)) {
      try {
        this.running = await startEmbeddedPostgres({ dataDir: this.dataDir, ephemeral: true, port: this.port });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`PostgreSQL did not restart within ${RESTART_TIMEOUT_MS} ms: ${(lastError as Error)?.message}`);
  }

  /** pg_terminate_backend of every store connection (of `database`, or all); returns how many. */
  async terminateStoreBackends(database?: string): Promise<number> {
    const rows = await this.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid) AS ok, pid FROM pg_stat_activity
        WHERE application_name LIKE $1 AND ($2::text IS NULL OR datname = $2) AND pid <> pg_backend_pid()`,
      [STORE_CONNECTIONS, database ?? null],
    );
    return rows.length;
  }

  /** The store's connections that are running something (not idle) in `database`. */
  async busyStoreBackends(database: string, application = STORE_CONNECTIONS): Promise<Backend[]> {
    return this.query<Backend>(
      `SELECT pid, application_name AS application, state, query FROM pg_stat_activity
        WHERE application_name LIKE $1 AND datname = $2 AND state <> 'idle' AND pid <> pg_backend_pid()`,
      [application, database],
    );
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
    const url = new URL(this.url);
    if (database) url.pathname = `/${database}`;
    return queryOnce<T>(url.toString(), sql, params);
  }

  async close(): Promise<void> {
    await this.stopFast().catch(() => {});
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

/** The database name in a PostgreSQL URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
