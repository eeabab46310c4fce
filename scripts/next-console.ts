/**
 * The console as a production build in a directory of its own (next.config.js reads
 * FACTLINE_CONSOLE_DIST_DIR), and `next start` processes from it on free ports. Shared by the
 * browser tests and the benchmarks, so that neither ever replaces the `.next` that `npm start` serves.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/** `next start` is ready in well under a second; slow machines get ample room. */
const START_TIMEOUT_MS = 30_000;
/** next start exits at once on SIGTERM; beyond this it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** Keep failure output bounded. */
const MAX_OUTPUT_CHARS = 100_000;

function env(distDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    FACTLINE_CONSOLE_DIST_DIR: distDir,
    ...extra,
  };
}

/** `next build` into `distDir`, quiet unless it fails or takes longer than `timeoutMs`. */
export async function buildConsoleInto(distDir: string, timeoutMs: number): Promise<void> {
  const child = spawn(process.execPath, [nextBin, "build", repoRoot], {
    cwd: repoRoot,
    env: env(distDir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (c: Buffer) => (output = (output + c.toString()).slice(-MAX_OUTPUT_CHARS));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`next build did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`next build failed (exit code ${code}):\n${output}`);
}

export interface RunningConsole {
  url: string;
  pid: number;
  stop(): Promise<void>;
  output(): string;
}

/** `next start` from the build in `distDir` on a free port of 127.0.0.1, against `storeUrl`. */
export async function startConsoleFrom(distDir: string, storeUrl: string): Promise<RunningConsole> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [nextBin, "start", repoRoot, "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: repoRoot,
      env: env(distDir, { FACTLINE_STORE_URL: storeUrl }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`next start not ready within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
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
    pid: child.pid!,
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

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
