/** `npm run bench -- [--quick] [--scale N] [--only append,catchup,live,lookups,console,transform,replica] [--reps N] [--profile]` */
import { parseOptions } from "./options";
import { runBench } from "./run";

// Long runs with many sockets: a stray rejection must fail the run loudly, not hang it.
process.on("unhandledRejection", (err) => {
  console.error("bench: unhandled rejection:", err);
  process.exit(1);
});

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const { table, file, results } = await runBench(opts);
  console.log(`\n${table}\n`);
  console.log(
    `PostgreSQL: ${results.postgres.label}; commit ${results.git.commit.slice(0, 10)}${results.git.dirty ? " (dirty)" : ""}; ` +
      `load ${results.machine.loadAverage.join(" ")} → ${results.loadAverageAtEnd.join(" ")}`,
  );
  console.log(`results: ${file} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
