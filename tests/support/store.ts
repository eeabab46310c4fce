// Runs the store as its own process, exactly as an operator would (`node --import tsx
// store/main.ts`), so the conformance suite exercises the real gRPC server, its migrations and
// its shutdown path — never in-process calls.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { createTestDatabase } from "./database.js";
import "./provided.js";
import { createFactStoreClient, type FactStoreClient } from "./client.js";
import { STORE_NODE_FLAGS } from "../../store/node-flags.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const READY_LINE = /factline store listening on ([^\s:]+):(\d+)/;
/** Spawning tsx + migrating a fresh database; generous because CI machines are slow. */
const READY_TIMEOUT_MS = 60_000;
/** The contract says SIGTERM ends the store "within a few seconds"; beyond this we SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** Keep diagnostics bounded: a chatty store must not exhaust the test runner's memory. */
const MAX_OUTPUT_CHARS = 200_000;

export interface StoreExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** true if SIGTERM did not end the process within STOP_TIMEOUT_MS and it was killed. */
  forced: boolean;
}

export interface RunningStore {
  url: string;
  port: number;
  /** SIGTERM, wait for the exit (SIGKILL after STOP_TIMEOUT_MS). Idempotent. */
  stop(): Promise<StoreExit>;
  kill(): void;
  /** stdout and stderr interleaved, for failure messages. */
  output(): string;
  readonly process: ChildProcess;
}

export interface StartStoreOptions {
  databaseUrl: string;
  env?: Record<string, string>;
}

export async function startStore({ databaseUrl, env }: StartStoreOptions): Promise<RunningStore> {
  const child = spawn(process.execPath, [...STORE_NODE_FLAGS, "--import", "tsx", "store/main.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      FACTLINE_STORE_HOST: "127.0.0.1",
      FACTLINE_STORE_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });

  let output = "";
  let stderr = "";
  const append = (chunk: string, isErr: boolean) => {
    output = (output + chunk).slice(-MAX_OUTPUT_CHARS);
    if (isErr) stderr = (stderr + chunk).slice(-MAX_OUTPUT_CHARS);
  };
  child.stderr.setEncoding("utf8").on("data", (c: string) => append(c, true));

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  const port = await new Promise<number>((resolve, reject) => {
    let stdoutBuffer = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`store not ready within ${READY_TIMEOUT_MS} ms.\nstderr:\n${stderr}\noutput:\n${output}`));
    }, READY_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      append(chunk, false);
      stdoutBuffer += chunk;
      const m = READY_LINE.exec(stdoutBuffer);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[2]));
      }
      if (stdoutBuffer.length > 10_000) stdoutBuffer = stdoutBuffer.slice(-1_000);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`store exited before it was ready (code ${code}, signal ${signal}).\nstderr:\n${stderr}`));
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  let stopping: Promise<StoreExit> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    output: () => output,
    kill: () => {
      child.kill("SIGKILL");
    },
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          return { code: child.exitCode, signal: child.signalCode, forced: false };
        }
        child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), STOP_TIMEOUT_MS)));
        const result = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        if (result === "timeout") {
          child.kill("SIGKILL");
          return { ...(await exited), forced: true };
        }
        return { ...result, forced: false };
      })();
      return stopping;
    },
  };
}

export interface StoreFixture {
  store: RunningStore;
  client: FactStoreClient;
  databaseUrl: string;
  /** Stops the store and drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh database (from the int projects' PostgreSQL) with one store process on it.
 * `label` only names the database, to tell leftovers apart.
 */
export async function startStoreOnFreshDatabase(label = "conformance"): Promise<StoreFixture> {
  const db = await createTestDatabase(inject("pgAdminUrl"), label);
  let store: RunningStore;
  try {
    store = await startStore({ databaseUrl: db.url });
  } catch (e) {
    await db.drop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n(PostgreSQL: ${inject("pgLabel")})`, { cause: e });
  }
  return {
    store,
    client: createFactStoreClient(store.url),
    databaseUrl: db.url,
    close: async () => {
      await store.stop();
      await db.drop();
    },
  };
}
