/**
 * The console as the e2e tests run it: one production build (`next build`) into its own
 * directory, then `next start` processes on free ports against given stores.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/**
 * Its own build directory (next.config.js reads FACTLINE_CONSOLE_DIST_DIR), so a test run never
 * replaces the `.next` that a developer's `npm start` serves from.
 */
export const E2E_DIST_DIR = ".next-e2e";
/** A cold `next build` on a two-core CI machine. */
const BUILD_TIMEOUT_MS = 240_000;
/** `next start` is ready in well under a second; slow machines get ample room. */
const START_TIMEOUT_MS = 30_000;
/** next start exits at once on SIGTERM; beyond this it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** Keep failure output bounded. */
const MAX_OUTPUT_CHARS = 100_000;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", FACTLINE_CONSOLE_DIST_DIR: E2E_DIST_DIR, ...extra };
}

/** `next build`, quiet unless it fails. FACTLINE_E2E_REUSE_BUILD=1 keeps an existing build (local iteration). */
export async function buildConsole(): Promise<void> {
  if (process.env.FACTLINE_E2E_REUSE_BUILD === "1" && existsSync(path.join(repoRoot, E2E_DIST_DIR, "BUILD_ID"))) return;
  const child = spawn(process.execPath, [nextBin, "build", repoRoot], { cwd: repoRoot, env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (c: Buffer) => (output = (output + c.toString()).slice(-MAX_OUTPUT_CHARS));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`next build did not finish within ${BUILD_TIMEOUT_MS} ms:\n${output}`));
    }, BUILD_TIMEOUT_MS);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`next build failed (exit code ${code}):\n${output}`);
}

export interface RunningConsole {
  url: string;
  stop(): Promise<void>;
  output(): string;
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
      output = (output + c.toString()).slice(-MAX_OUTPUT_CHARS);
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
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
