/**
 * One benchmark run: PostgreSQL up, scenarios in order, figures checked against the targets, a
 * markdown table and a results file. `npm run bench` (bench/main.ts) and the smoke test call this.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { BenchContext } from "./context";
import { gitCommit, machineInfo } from "./env/machine";
import { startBenchPostgres } from "./env/postgres";
import { repoRoot } from "./env/store";
import { Results } from "./measure";
import type { BenchOptions, ScenarioName } from "./options";
import { markdownTable } from "./report/table";
import { evaluate } from "./report/targets";
import { writeResultsFile, type ResultsFile } from "./report/results-file";
import { appendScenario } from "./scenarios/append";
import { catchupScenario } from "./scenarios/catchup";
import { consoleScenario } from "./scenarios/console";
import { liveScenario } from "./scenarios/live";
import { lookupsScenario } from "./scenarios/lookups";
import { transformScenario } from "./scenarios/transform";
import { replicaScenario } from "./scenarios/replica";
import { seedStore, type SeededStore } from "./seeded-store";

const SCENARIOS: Record<ScenarioName, (ctx: BenchContext) => Promise<void>> = {
  append: appendScenario,
  catchup: catchupScenario,
  live: liveScenario,
  lookups: lookupsScenario,
  console: consoleScenario,
  transform: transformScenario,
  replica: replicaScenario,
};

export interface RunOutcome {
  table: string;
  file: string;
  results: ResultsFile;
}

/**
 * `databaseUrl` overrides DATABASE_URL (the smoke test passes its own PostgreSQL); without either,
 * an embedded PostgreSQL is started for the run.
 */
export async function runBench(
  opts: BenchOptions,
  log: (line: string) => void = console.log,
  databaseUrl: string | undefined = process.env.DATABASE_URL,
): Promise<RunOutcome> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(
    `factline bench: ${opts.quick ? "quick, " : ""}scale ${opts.scale.toLocaleString("en")}, ${opts.reps} reps; ` +
      `${machine.cores} cores, load ${machine.loadAverage.join(" ")}`,
  );
  const resultsDir = path.resolve(opts.resultsDir ?? path.join(repoRoot, "bench", "results"));
  const cpuProfileDir = opts.profile ? path.join(resultsDir, `profiles-${startedAt.replace(/[:.]/g, "-")}`) : undefined;
  if (cpuProfileDir) await fs.mkdir(cpuProfileDir, { recursive: true });

  const postgres = await startBenchPostgres(log, databaseUrl);
  const results = new Results();
  let seeded: Promise<SeededStore> | undefined;
  const ctx: BenchContext = {
    opts,
    postgres,
    results,
    log,
    cpuProfileDir,
    seeded: () => {
      // Only the catch-up compares against Emmett and the plain table; the others read the store.
      const baselines = opts.scenarios.includes("catchup");
      seeded ??= (async () => {
        log(`seeding a store of ${opts.scale.toLocaleString("en")} facts`);
        return seedStore(postgres, opts.scale, {
          withEmmett: baselines,
          withPlainTable: baselines,
          cpuProfileDir,
          log,
        });
      })();
      return seeded;
    },
  };
  try {
    for (const name of opts.scenarios) {
      const t0 = performance.now();
      log(`— ${name}`);
      await SCENARIOS[name](ctx);
      log(`  ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    if (seeded) await (await seeded.catch(() => undefined))?.close();
    await postgres.stop();
  }

  evaluate(results);
  const table = markdownTable(results);
  const file: ResultsFile = {
    format: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: opts,
    machine,
    loadAverageAtEnd: machineInfo().loadAverage,
    postgres: { label: postgres.label, version: postgres.version },
    git: gitCommit(repoRoot),
    figures: results.figures,
    unavailable: results.unavailable,
    table,
  };
  return { table, file: await writeResultsFile(resultsDir, file), results: file };
}
