/**
 * The store under test as its own process, started the way an operator starts it
 * (`node --import tsx store/main.ts`), so the benchmark crosses a real socket and a real process
 * boundary, and the store's CPU can be told apart from the client's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { STORE_NODE_FLAGS } from "../../store/node-flags";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const READY_LINE = /factline store listening on ([^\s:]+):(\d+)/;
/** tsx compiling the store and migrating a fresh database; a busy two-core machine needs the margin. */
const READY_TIMEOUT_MS = 60_000;
/** main.ts forces its own exit after 8 s; past that something is wrong and we SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** Enough of the store's output to explain a failure. */
const KEPT_OUTPUT_CHARS = 20_000;

export interface StoreProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface StoreProcessOptions {
  databaseUrl: string;
  /** Directory for a V8 CPU profile (node --cpu-prof), written when the store exits. */
  cpuProfileDir?: string;
  env?: Record<string, string>;
}

export async function startStoreProcess(opts: StoreProcessOptions): Promise<StoreProcess> {
  const profiling = opts.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(opts.cpuProfileDir)}`] : [];
  const child = spawn(process.execPath, [...STORE_NODE_FLAGS, ...profiling, "--import", "tsx", "store/main.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      FACTLINE_STORE_HOST: "127.0.0.1",
      FACTLINE_STORE_PORT: "0",
      FACTLINE_LOG: "silent",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: string) => (output = (output + chunk).slice(-KEPT_OUTPUT_CHARS));
  child.stderr!.setEncoding("utf8").on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`store not ready within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      keep(chunk);
      const m = READY_LINE.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[2]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`store exited before it was ready:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), STOP_TIMEOUT_MS)));
  if ((await Promise.race([exited, late])) === "late") {
    child.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}
