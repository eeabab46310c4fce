/**
 * The store under test as its own process, started the way an operator starts it (by
 * scripts/launch/store.ts, as npm start and the tests do), so the benchmark crosses a real socket
 * and a real process boundary, and the store's CPU can be told apart from the client's.
 */
import path from "node:path";
import { launchStore, repoRoot } from "../../scripts/launch/store";

export { repoRoot };

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
  /** Echo the store's output (its log at the level env's FACTLINE_LOG asks for) into the bench's. */
  echo?: boolean;
}

export async function startStoreProcess(opts: StoreProcessOptions): Promise<StoreProcess> {
  const store = await launchStore({
    echo: opts.echo,
    nodeFlags: opts.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(opts.cpuProfileDir)}`] : [],
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      FACTLINE_STORE_HOST: "127.0.0.1",
      FACTLINE_STORE_PORT: "0",
      FACTLINE_LOG: "silent",
      ...opts.env,
    },
  });
  return { url: store.url, pid: store.process.pid!, stop: async () => void (await store.stop()) };
}
