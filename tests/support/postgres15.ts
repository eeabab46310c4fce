/**
 * A throwaway cluster from the machine's PostgreSQL 15 binaries, so the promise "PostgreSQL ≥ 14"
 * is tested against an old major and not only against the embedded 18.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../scripts/launch/process.js";

const exec = promisify(execFile);
export const PG15_BIN_DIR = process.env.FACTLINE_PG15_BIN ?? "/usr/lib/postgresql/15/bin";
/** PostgreSQL refuses to run as root; Debian's postgresql packages create this user. */
export const PG15_OS_USER = "postgres";
/** pg_ctl's own wait limit; a fresh cluster is usually ready in about a second. */
const START_TIMEOUT_S = 60;

/** Why the PostgreSQL 15 project cannot run here, or undefined when it can. */
export function postgres15Missing(): string | undefined {
  for (const tool of ["initdb", "pg_ctl", "postgres"]) {
    const file = path.join(PG15_BIN_DIR, tool);
    if (!existsSync(file)) {
      return `no PostgreSQL 15 binaries: ${file} is missing (install postgresql-15, or set FACTLINE_PG15_BIN to its bin directory)`;
    }
  }
  return undefined;
}

/**
 * Runs a PostgreSQL 15 tool, as the postgres OS user when we are root; LC_MESSAGES=C keeps its
 * errors greppable. `timeoutMs` kills a tool that never returns (e.g. a base backup from a dead primary).
 */
export async function runPg15Tool(
  name: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<void> {
  const file = path.join(PG15_BIN_DIR, name);
  const asRoot = process.getuid?.() === 0;
  await exec(asRoot ? "runuser" : file, asRoot ? ["-u", PG15_OS_USER, "--", file, ...args] : args, {
    cwd: options.cwd,
    env: { ...process.env, LC_MESSAGES: "C" },
    ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: "SIGKILL" as const } : {}),
  });
}

/** postgresql.conf lines for a throwaway cluster on loopback `port`, plus `extra` lines. */
export function throwawaySettings(port: number, extra: string[] = []): string {
  return [
    "",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    // No unix socket: it would collide with the machine's own PostgreSQL in /var/run/postgresql.
    "unix_socket_directories = ''",
    // Durability is worthless for a throwaway cluster and costs test time.
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    ...extra,
    "",
  ].join("\n");
}

export interface TemporaryCluster {
  url: string;
  version: string;
  stop(): Promise<void>;
}

export async function startPostgres15(): Promise<TemporaryCluster> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-pg15-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  if (process.getuid?.() === 0) await exec("chown", [PG15_OS_USER, dir]);
  const run = (tool: string, args: string[]) => runPg15Tool(tool, args, { cwd: dir });

  const port = await freePort();
  try {
    // Trust on loopback is fine: the cluster lives for one test run and listens on 127.0.0.1 only.
    await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]);
    await fs.appendFile(path.join(data, "postgresql.conf"), throwawaySettings(port));
    await run("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", String(START_TIMEOUT_S), "start"]);
  } catch (error) {
    const log = await fs.readFile(logFile, "utf8").catch(() => "");
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL 15 from ${PG15_BIN_DIR} did not start: ${(error as Error).message}\n${log}`);
  }
  const { stdout } = await exec(path.join(PG15_BIN_DIR, "postgres"), ["--version"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version: stdout
      .trim()
      .replace(/^postgres \(PostgreSQL\) /, "")
      .split(" ")[0],
    async stop() {
      await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
