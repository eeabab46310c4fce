/**
 * The console for the browser scenario: a production build in its own directory (so a bench run
 * never replaces the `.next` a developer's `npm start` serves), then `next start` on a free port
 * against the seeded store.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { repoRoot } from "./store";

const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/** next.config.js reads FACTLINE_CONSOLE_DIST_DIR; git-ignored. */
export const BENCH_DIST_DIR = ".next-bench";
/** A cold `next build` on a busy two-core machine. */
const BUILD_TIMEOUT_MS = 600_000;
const START_TIMEOUT_MS = 30_000;
const KEPT_OUTPUT_CHARS = 20_000;
/** Where the console's code lives: a build older than any of it is stale. */
const SOURCE_DIRS = ["app", "components", "lib"];

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  NODE_ENV: "production",
  FACTLINE_CONSOLE_DIST_DIR: BENCH_DIST_DIR,
  ...extra,
});

/** Why the console cannot be measured yet, or undefined when it has a page for "/". */
export function consoleMissing(): string | undefined {
  const app = path.join(repoRoot, "app");
  if (!existsSync(app)) return "no console yet (app/ is missing)";
  const groups = readdirSync(app).filter((d) => /^\(.+\)$/.test(d));
  const home = ["page.tsx", ...groups.map((g) => path.join(g, "page.tsx"))].some((p) => existsSync(path.join(app, p)));
  return home ? undefined : "no console overview page yet (app/page.tsx)";
}

/**
 * "missing", "stale" (older than the sources) or "fresh". FACTLINE_BENCH_REUSE_CONSOLE_BUILD=1 takes
 * any existing build as fresh: for iterating on the harness while others edit the console.
 */
export function buildState(): "missing" | "stale" | "fresh" {
  const id = path.join(repoRoot, BENCH_DIST_DIR, "BUILD_ID");
  if (!existsSync(id)) return "missing";
  if (process.env.FACTLINE_BENCH_REUSE_CONSOLE_BUILD === "1") return "fresh";
  const built = statSync(id).mtimeMs;
  return SOURCE_DIRS.some((d) => newestMtime(path.join(repoRoot, d)) > built) ? "stale" : "fresh";
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function buildConsole(): Promise<void> {
  const { code, output } = await run([nextBin, "build", repoRoot], BUILD_TIMEOUT_MS);
  if (code !== 0) throw new Error(`next build failed (exit code ${code}):\n${output}`);
}

export interface RunningConsole {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startConsole(storeUrl: string): Promise<RunningConsole> {
  const port = await freePort();
  const child = spawn(process.execPath, [nextBin, "start", repoRoot, "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: repoRoot,
    env: env({ FACTLINE_STORE_URL: storeUrl }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next start not ready within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (c: Buffer) => {
      output = (output + c.toString()).slice(-KEPT_OUTPUT_CHARS);
      if (/\bReady in\b/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`next start exited before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (c: Buffer) => (output = (output + c.toString()).slice(-KEPT_OUTPUT_CHARS));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
