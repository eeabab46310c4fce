/** What every scenario gets from the harness. */
import type { BenchPostgres } from "./env/postgres";
import type { Results } from "./measure";
import type { BenchOptions } from "./options";
import type { SeededStore } from "./seeded-store";

export interface BenchContext {
  opts: BenchOptions;
  postgres: BenchPostgres;
  results: Results;
  log: (line: string) => void;
  /** Where store CPU profiles go (only with --profile). */
  cpuProfileDir?: string;
  /** The shared big store (seeded on first use, reused by catch-up, lookups and the console). */
  seeded(): Promise<SeededStore>;
}

/** Labels of the clients behind the figures, so the table can say which client each figure used. */
export const CLIENT = {
  lean: (connections: number) => `lean HTTP/2 gRPC, ${connections} connection${connections === 1 ? "" : "s"}`,
  pg: (connections: number) => `node-postgres, ${connections} connection${connections === 1 ? "" : "s"}`,
  emmett: (concurrency: number) => `Emmett API, ${concurrency} concurrent caller${concurrency === 1 ? "" : "s"}`,
};
