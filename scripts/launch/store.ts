/**
 * The one way to start a store process, used by `npm start`, the tests and the benchmarks: the
 * command an operator runs (`node --import tsx store/main.ts` with store/node-flags.ts), readiness
 * from the line the store prints once it listens, and a stop that escalates from SIGTERM to SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readableLog } from "../../store/log-readable";
import { STORE_NODE_FLAGS } from "../../store/node-flags";
import { keptOutput, stopChild, urlFor, type ChildExit } from "./process";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * store/main.ts prints this once its gRPC port accepts calls; with port 0 it names the port chosen,
 * and " over TLS" when it serves TLS (clients then need https://).
 */
export const STORE_READY_LINE = /factline store listening on ([^\s:]+):(\d+)( over TLS)?/;
/** The same line names the HTTP port (metrics and health), e.g. "metrics and health on http://127.0.0.1:9091". */
const HTTP_IN_READY_LINE = /metrics and health on http:\/\/\[?([^\s\]]+?)\]?:(\d+)/;
/** tsx compiling the store and migrating a fresh database on a busy two-core machine. */
export const STORE_READY_TIMEOUT_MS = 60_000;
/** store/main.ts forces its own exit after 8 s; past 10 s something is wrong and it is killed. */
export const STORE_STOP_TIMEOUT_MS = 10_000;

export interface StoreLaunchOptions {
  /** The store's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Node flags besides STORE_NODE_FLAGS, e.g. --cpu-prof for a benchmark. */
  nodeFlags?: string[];
  /** Show the store's output on this terminal as it comes (npm start), besides keeping it. */
  echo?: boolean;
  /** Infinity waits as long as the store takes (npm start: a first embedded PostgreSQL initdb). */
  readyTimeoutMs?: number;
  /** Aborting before the store is ready stops it; the launch then rejects. */
  signal?: AbortSignal;
}

export interface LaunchedStore {
  /** Where clients reach it (a wildcard address becomes loopback): https:// when it serves TLS. */
  readonly url: string;
  readonly port: number;
  /** The store's HTTP port (/metrics, /health/*), e.g. http://127.0.0.1:9091. */
  readonly httpUrl: string;
  /** The readiness line as printed (it names the security mode, too). */
  readonly readyLine: string;
  readonly process: ChildProcess;
  /** Resolves when the process ends, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<ChildExit>;
  kill(): void;
  /** stdout and stderr interleaved (the last part), log lines made readable, for failure messages. */
  output(): string;
  /** stderr (the last part), log lines made readable. */
  stderr(): string;
  /** stderr as the store wrote it: JSON log lines (unless FACTLINE_LOG_FORMAT=pretty). */
  rawStderr(): string;
}

export async function launchStore(options: StoreLaunchOptions = {}): Promise<LaunchedStore> {
  const args = [...STORE_NODE_FLAGS, ...(options.nodeFlags ?? []), "--import", "tsx", "store/main.ts"];
  const env = { ...(options.env ?? process.env) };
  // A store asked for a free gRPC port gets a free HTTP port too: tests and benchmarks run many.
  if (env.FACTLINE_STORE_PORT === "0" && !env.FACTLINE_HTTP_PORT) env.FACTLINE_HTTP_PORT = "0";
  // npm start shows the store's log on the terminal it runs in: readable there, JSON elsewhere.
  if (options.echo && process.stderr.isTTY && !env.FACTLINE_LOG_FORMAT) env.FACTLINE_LOG_FORMAT = "pretty";
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = keptOutput();
  const stderr = keptOutput();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output.add(chunk);
    if (options.echo) process.stdout.write(chunk);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output.add(chunk);
    stderr.add(chunk);
    if (options.echo) process.stderr.write(chunk);
  });
  const exited = new Promise<ChildExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, forced: false })),
  );
  let stopping: Promise<ChildExit> | undefined;
  const stop = (timeoutMs = STORE_STOP_TIMEOUT_MS) => (stopping ??= stopChild(child, exited, timeoutMs));
  const timeoutMs = options.readyTimeoutMs ?? STORE_READY_TIMEOUT_MS;

  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      void stop().then(() => reject(error));
    };
    const onAbort = () => fail(new Error("the store was stopped before it was ready"));
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(
          () =>
            fail(new Error(`the store was not ready within ${timeoutMs} ms.\nstderr:\n${readableLog(stderr.text())}`)),
          timeoutMs,
        )
      : undefined;
    let lines = "";
    child.stdout.on("data", (chunk: string) => {
      lines = (lines + chunk).slice(-10_000); // the ready line is short; never hold more than this
      const match = STORE_READY_LINE.exec(lines);
      if (match) {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve(match);
      }
    });
    child.once("error", fail);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    void exited.then(({ code, signal }) =>
      fail(
        new Error(
          `the store exited before it was ready (code ${code}, signal ${signal}).\nstderr:\n${readableLog(stderr.text())}`,
        ),
      ),
    );
  });

  const readyLine = ready.input.slice(ready.index).split("\n")[0];
  return {
    url: urlFor(ready[1], ready[2], ready[3] !== undefined),
    port: Number(ready[2]),
    httpUrl: httpUrlOf(readyLine),
    readyLine,
    process: child,
    exited,
    stop,
    kill: () => void child.kill("SIGKILL"),
    output: () => readableLog(output.text()),
    stderr: () => readableLog(stderr.text()),
    rawStderr: stderr.text,
  };
}

function httpUrlOf(readyLine: string): string {
  const match = HTTP_IN_READY_LINE.exec(readyLine);
  return match ? urlFor(match[1], match[2]) : "";
}
