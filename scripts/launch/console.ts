/**
 * The one way to start the console, used by `npm start`, `npm run console`, the browser tests and
 * the benchmarks: `next start` from a production build (scripts/launch/console-build.ts makes and
 * judges those), ready once Next.js says so, stopped with SIGTERM and, if need be, SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { DEFAULT_STORE_URL } from "../../factcast/client";
import { checkConsoleStartup } from "../../lib/backend/auth/startup";
import { consoleEnv, distDirOf } from "./console-build";
import { keptOutput, stopChild, type ChildExit } from "./process";

export { freePort } from "./process";
import { repoRoot } from "./store";

const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/** Tells the console each request's connection address (scripts/launch/peer-address.mjs says why). */
const peerAddressPreload = path.join(repoRoot, "scripts", "launch", "peer-address.mjs");

export const DEFAULT_CONSOLE_HOST = "127.0.0.1";
export const DEFAULT_CONSOLE_PORT = "3000";
/**
 * `next start` prints its address ("- Local: http://127.0.0.1:3000") and then "✓ Ready in …"
 * once it listens; with port 0 the first is the only place the chosen port appears.
 */
export const CONSOLE_ADDRESS_LINE = /Local:\s+(http\S+)/;
const CONSOLE_READY_LINE = /\bReady in\b/;
/** `next start` is ready in well under a second; a busy machine gets ample room. */
export const CONSOLE_READY_TIMEOUT_MS = 30_000;
/** `next start` exits at once on SIGTERM; past this it is killed. */
export const CONSOLE_STOP_TIMEOUT_MS = 5_000;

export interface ConsoleLaunchOptions {
  /** The build to serve (default FACTLINE_CONSOLE_DIST_DIR, else .next). */
  distDir?: string;
  host?: string;
  /** A port, or 0 for one the OS picks. */
  port?: number | string;
  /** FACTLINE_STORE_URL for the console; default: whatever the environment says. */
  storeUrl?: string;
  /** More environment for the console (e.g. FACTLINE_CONSOLE_AUTH), over this process's. */
  env?: Record<string, string>;
  /** Show the console's output on this terminal as it comes. */
  echo?: boolean;
  /** Infinity waits as long as it takes. */
  readyTimeoutMs?: number;
  /** Aborting before the console is ready stops it; the launch then rejects. */
  signal?: AbortSignal;
}

export interface LaunchedConsole {
  readonly url: string;
  readonly pid: number;
  readonly process: ChildProcess;
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<ChildExit>;
  output(): string;
}

/**
 * Starts `next start`; rejects first, without starting anything, when the sign-in settings cannot
 * work (lib/backend/auth/startup.ts: e.g. FACTLINE_CONSOLE_AUTH=none on a non-loopback HOST).
 */
export async function launchConsole(options: ConsoleLaunchOptions = {}): Promise<LaunchedConsole> {
  const host = options.host ?? DEFAULT_CONSOLE_HOST;
  const port = String(options.port ?? DEFAULT_CONSOLE_PORT);
  const distDir = options.distDir ?? distDirOf();
  // HOST and PORT as the server listens: its Host check accepts exactly these (lib/backend/auth/origin.ts).
  const env = consoleEnv(distDir, {
    ...(options.storeUrl ? { FACTLINE_STORE_URL: options.storeUrl } : {}),
    ...options.env,
    HOST: host,
    PORT: port,
  });
  const startup = await checkConsoleStartup(env, env.FACTLINE_STORE_URL || DEFAULT_STORE_URL);
  if (options.echo) for (const warning of startup.warnings) console.warn(`factline: warning: ${warning}`);
  const args = ["--import", peerAddressPreload, nextBin, "start", repoRoot, "--hostname", host, "--port", port];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = keptOutput();
  const exited = new Promise<ChildExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, forced: false })),
  );
  let stopping: Promise<ChildExit> | undefined;
  const stop = (timeoutMs = CONSOLE_STOP_TIMEOUT_MS) => (stopping ??= stopChild(child, exited, timeoutMs));
  const timeoutMs = options.readyTimeoutMs ?? CONSOLE_READY_TIMEOUT_MS;

  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const fail = (error: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      void stop().then(() => reject(error));
    };
    const onAbort = () => fail(new Error("the console was stopped before it was ready"));
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(
          () => fail(new Error(`next start was not ready within ${timeoutMs} ms:\n${output.text()}`)),
          timeoutMs,
        )
      : undefined;
    const onData = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      const text = chunk.toString();
      output.add(text);
      if (options.echo) stream.write(chunk);
      seen = (seen + text).slice(-10_000); // both lines are short; never hold more than this
      if (CONSOLE_READY_LINE.test(seen)) {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve(CONSOLE_ADDRESS_LINE.exec(seen)?.[1] ?? `http://${host}:${port}`);
      }
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.once("error", fail);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    void exited.then(({ code, signal }) =>
      fail(new Error(`next start exited before it was ready (code ${code}, signal ${signal}):\n${output.text()}`)),
    );
  });
  return { url: url.replace(/\/$/, ""), pid: child.pid!, process: child, exited, stop, output: output.text };
}
