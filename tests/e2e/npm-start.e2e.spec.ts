// The promise of `npm start` on a fresh machine: with no DATABASE_URL the store comes up on embedded
// PostgreSQL and the console against it; SIGTERM stops everything it started within 10 s (no process
// left behind), and a second start finds the data of the first. Runs with the browser tests because
// it uses their console build (a first `npm start` builds the console itself; that is not re-tested
// here, it is what the e2e setup does).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createFactStoreClient } from "../support/client.js";
import { fact, factsMsg, fetchById, idOf } from "../support/facts.js";
import { E2E_DIST_DIR } from "./support/console.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const READY = /factline store listening on 127\.0\.0\.1:(\d+)/;
const CONSOLE_READY = /console at (http:\/\/\S+) /;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "factline-start-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` as a user runs it, minus npm itself: the launcher script under tsx. */
async function launch(): Promise<{
  child: ChildProcess;
  port: number;
  consoleUrl: string;
  exited: Promise<number | null>;
}> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTLINE_DATA_DIR: dataDir,
    FACTLINE_STORE_PORT: "0",
    PORT: "0",
    FACTLINE_CONSOLE_DIST_DIR: E2E_DIST_DIR,
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let output = "";
  const [port, consoleUrl] = await new Promise<[number, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const store = READY.exec(output);
      const console_ = CONSOLE_READY.exec(output);
      if (store && console_) {
        clearTimeout(timer);
        resolve([Number(store[1]), console_[1]]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`exited with ${code} before ready:\n${output}`)));
  });
  return { child, port, consoleUrl, exited };
}

/** Processes whose command line mentions our data dir: the embedded PostgreSQL and its workers. */
function processesUsing(dir: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,stat,args"], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes(dir) && !/\sZ/.test(line));
}

describe("npm start", () => {
  it("starts store and console on embedded PostgreSQL, stops cleanly within 10 s, and keeps the data for the next start", async (ctx) => {
    if (inject("e2eSkipReason")) ctx.skip();
    const first = await launch();
    const page = await fetch(first.consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("factline");
    const published = fact({ ns: "start-test", type: "Kept" });
    await createFactStoreClient(`http://127.0.0.1:${first.port}`).publish(factsMsg([published]));
    expect(processesUsing(dataDir).length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(processesUsing(dataDir)).toEqual([]);

    const second = await launch();
    try {
      const found = await fetchById(createFactStoreClient(`http://127.0.0.1:${second.port}`), idOf(published));
      expect(found?.ns).toBe("start-test");
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }
    expect(processesUsing(dataDir)).toEqual([]);
  }, 120_000);
});
