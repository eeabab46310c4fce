/**
 * Building and starting the console (Next.js) as a child process, shared by `npm run console`
 * and `npm start`. The console always runs from a production build (`next start`); one is made
 * first when none exists.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/**
 * `next start` prints its address once it listens ("- Local: http://127.0.0.1:3000"); with PORT=0
 * that line is the only place the chosen port appears.
 */
export const CONSOLE_READY_LINE = /Local:\s+(http\S+)/;
export const DEFAULT_CONSOLE_HOST = "127.0.0.1";
export const DEFAULT_CONSOLE_PORT = "3000";

/** The environment every Next.js child gets: offline, no telemetry, production. */
export function consoleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...extra };
}

/** Whether a production build exists (next.config.js may move it with FACTLINE_CONSOLE_DIST_DIR). */
export function consoleBuilt(): boolean {
  return existsSync(path.join(root, process.env.FACTLINE_CONSOLE_DIST_DIR || ".next", "BUILD_ID"));
}

export interface Build {
  child: ChildProcess;
  /** Resolves when the build succeeded; rejects with the exit code otherwise. */
  done: Promise<void>;
}

/** Runs `next build`, its output shown as it comes. */
export function buildConsole(): Build {
  console.log("factline: building the console (first start only; `next build`)…");
  const child = spawn(process.execPath, [nextBin, "build", root], {
    cwd: root,
    env: consoleEnv(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`building the console failed (${signal ?? `exit code ${code}`}); see the output above`)),
    );
  });
  return { child, done };
}

/** The command line of `next start` on host:port, for startService or spawn. */
export function consoleStartArgs(host: string, port: string): string[] {
  return [nextBin, "start", root, "--hostname", host, "--port", port];
}

/** The URL a client uses for a server that said it listens on host:port (wildcards → loopback). */
export function urlFor(host: string, port: string): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
