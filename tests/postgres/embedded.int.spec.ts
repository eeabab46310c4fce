// The embedded PostgreSQL behind `npm start`: data survives a restart, and stop leaves nothing running.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type RunningPostgres } from "../../store/postgres/embedded";

let dataDir: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-embedded-"));
});
afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Processes whose command line names this data dir: postmaster and any backend it forked. */
function postgresProcessesFor(dir: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes(path.join(dir, "postgres")));
}

describe("embedded PostgreSQL", () => {
  it("keeps data across a restart of the same data dir", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      expect(first.url).toMatch(/^postgres:\/\/[^:]+:[^@]+@127\.0\.0\.1:\d+\/factline$/);
      await query(first.url, "CREATE TABLE kept (note text)");
      await query(first.url, "INSERT INTO kept VALUES ($1)", ["written before restart"]);
    } finally {
      await first.stop();
    }
    expect(postgresProcessesFor(dataDir)).toEqual([]);

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "written before restart" }]);
    } finally {
      await second.stop();
    }
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });

  it("joins a server another process already runs on that data dir, and leaves it running", async () => {
    const starter = await startEmbeddedPostgres({ dataDir });
    let joiner: RunningPostgres | undefined;
    try {
      joiner = await startEmbeddedPostgres({ dataDir });
      expect(joiner.url).toBe(starter.url);
      await joiner.stop();
      expect(await query(starter.url, "SELECT 1 AS up")).toEqual([{ up: 1 }]);
    } finally {
      await starter.stop();
    }
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });

  it("the last user out stops it: the starter leaving first leaves the server to the joiner", async () => {
    const starter = await startEmbeddedPostgres({ dataDir });
    const joiner = await startEmbeddedPostgres({ dataDir });
    try {
      expect(joiner.pid).toBe(starter.pid);
      expect(await starter.release()).toEqual({ others: 1 });
      expect(await query(joiner.url, "SELECT 1 AS up")).toEqual([{ up: 1 }]);
      expect(postgresProcessesFor(dataDir)).not.toEqual([]);
    } finally {
      expect(await joiner.release()).toEqual({ others: 0 });
    }
    expect(postgresProcessesFor(dataDir)).toEqual([]);
    expect(await fs.readdir(path.join(dataDir, "postgres-users"))).toEqual([]);
  });

  it("writes the server's log to postgres.log in the data dir", async () => {
    const running = await startEmbeddedPostgres({ dataDir });
    await running.stop();
    expect(await fs.readFile(path.join(dataDir, "postgres.log"), "utf8")).toMatch(/database system is ready/);
  });

  it("starts despite a stale postmaster.pid left by a killed run", async () => {
    const running = await startEmbeddedPostgres({ dataDir });
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
    const lines = (await fs.readFile(pidFile, "utf8")).split("\n");
    await running.stop();
    // A pid that cannot be alive stands in for the crashed postmaster's.
    lines[0] = "2147483646";
    await fs.writeFile(pidFile, lines.join("\n"));

    const restarted = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(restarted.url, "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 1 }]);
    } finally {
      await restarted.stop();
    }
  });
});
