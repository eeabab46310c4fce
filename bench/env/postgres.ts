/**
 * The one PostgreSQL every scenario runs on: DATABASE_URL when given, else an embedded cluster in a
 * temp directory with fsync on (ephemeral: false), because commit cost is part of what an event
 * store costs. Each scenario gets a fresh database on it, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../store/postgres/embedded";

export interface BenchPostgres {
  adminUrl: string;
  /** "embedded PostgreSQL 18.x" or "DATABASE_URL (PostgreSQL 16.x)". */
  label: string;
  version: string;
  /** The postmaster's pid when we started it (its backends' CPU is then measurable), else undefined. */
  postmasterPid?: number;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function startBenchPostgres(log: (line: string) => void, databaseUrl?: string): Promise<BenchPostgres> {
  const given = databaseUrl?.trim();
  if (given) {
    const version = await serverVersion(given);
    return { adminUrl: given, label: `DATABASE_URL (PostgreSQL ${version})`, version, stop: async () => {} };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-bench-"));
  log(`starting embedded PostgreSQL in ${dataDir} (fsync on)`);
  const postgres = await startEmbeddedPostgres({ dataDir, ephemeral: false });
  const version = await serverVersion(postgres.url);
  const pidFile = await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(pidFile.split("\n")[0]);
  return {
    adminUrl: postgres.url,
    label: `embedded PostgreSQL ${version}`,
    version,
    postmasterPid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    stop: async () => {
      await postgres.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh, uniquely named database; `label` tells leftovers apart. */
export async function createBenchDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `bench_${label.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}_${randomBytes(3).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(
        () => {},
      ),
  };
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v,
  );
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
