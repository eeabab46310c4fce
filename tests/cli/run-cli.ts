// Runs the real `factline` executable (bin/factline.js) as a child process, exactly as a user's shell
// would, so the tests cover argument parsing, stdout/stderr separation, exit codes and signals.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/factline.js", import.meta.url));
/** tsx compiles the CLI on first start; CI machines are slow. */
const RUN_TIMEOUT_MS = 30_000;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, then stdin is closed; without it stdin is empty. */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Environment of a user who has configured nothing but the store's address. */
export function cliEnv(storeUrl: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FACTLINE_STORE_USER;
  delete env.FACTLINE_STORE_PASSWORD;
  delete env.FACTLINE_TLS_CA;
  Object.assign(env, extra);
  if (storeUrl) env.FACTLINE_STORE_URL = storeUrl;
  else delete env.FACTLINE_STORE_URL;
  return env;
}

export function spawnCli(
  storeUrl: string | undefined,
  args: string[],
  options: CliOptions = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? repoRoot, env: cliEnv(storeUrl, options.env) });
}

/** Runs factline to its end. */
export function runCli(storeUrl: string | undefined, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(storeUrl, args, options);
  child.stdin.end(options.input ?? "");
  return collect(child, options.timeoutMs ?? RUN_TIMEOUT_MS);
}

export function collect(child: ChildProcessWithoutNullStreams, timeoutMs = RUN_TIMEOUT_MS): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `factline did not finish within ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Settles when the process ends. */
  result: Promise<CliResult>;
  /** Resolves once stdout holds at least `count` lines in total; rejects on timeout or exit. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
}

/** Starts a long-running factline (follow) and watches its output from the first byte. */
export function startCli(storeUrl: string | undefined, args: string[], options: CliOptions = {}): RunningCli {
  const child = spawnCli(storeUrl, args, options);
  const result = collect(child, options.timeoutMs ?? 120_000);
  let stdout = "";
  let exited = false;
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    listeners.forEach((l) => l());
  });
  child.once("exit", () => {
    exited = true;
    listeners.forEach((l) => l());
  });
  const lines = () => stdout.split("\n").filter((l) => l !== "");
  return {
    child,
    result,
    waitForLines: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`timed out waiting for ${count} lines; got:\n${stdout}`)),
          timeoutMs,
        );
        const check = () => {
          if (lines().length >= count) finish();
          else if (exited) finish(new Error(`factline exited after ${lines().length} of ${count} lines`));
        };
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(lines());
        };
        listeners.add(check);
        check();
      }),
  };
}

/** A fact header as the CLI prints it: FactCast's fields, and meta with the store's _ser and _ts. */
export interface PrintedHeader {
  id: string;
  ns: string;
  type?: string;
  version?: number;
  aggIds?: string[];
  meta: Record<string, string | string[] | number>;
  [other: string]: unknown;
}

export function ndjson(text: string): Array<{ header: PrintedHeader; payload: unknown }> {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}
