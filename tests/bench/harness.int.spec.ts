// The benchmark harness starts, runs one tiny scenario against the int project's PostgreSQL and
// reports it in the shapes the lead and docs/performance.md rely on. The benchmarks themselves
// are not part of npm test: this only proves `npm run bench` is not broken.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, inject, it } from "vitest";
import "../support/provided.js";
import { parseOptions } from "../../bench/options";
import { runBench } from "../../bench/run";
import type { ResultsFile } from "../../bench/report/results-file";

const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-bench-smoke-"));
afterAll(() => fs.rm(resultsDir, { recursive: true, force: true }));

it("runs the lookups scenario on a tiny store and writes a table and a results file", async () => {
  const opts = {
    ...parseOptions(["--quick", "--only", "lookups", "--scale", "200", "--reps", "1", "--results-dir", resultsDir]),
    // A handful of calls per lookup: enough to fill every figure, few enough for a busy CI machine.
    lookupCalls: 5,
  };
  const lines: string[] = [];
  const { table, file } = await runBench(opts, (l) => lines.push(l), inject("pgAdminUrl"));

  expect(table).toMatch(/^\| Scenario \| Figure \| System \| Median \|/);
  expect(table).toContain("fact by serial p99 (200 facts)");
  expect(table).toMatch(/(met|missed) p99 ≤ 2 ms/);

  const written = JSON.parse(await fs.readFile(file, "utf8")) as ResultsFile;
  expect(path.dirname(file)).toBe(resultsDir);
  expect(written.format).toBe(1);
  expect(written.machine.cores).toBeGreaterThan(0);
  expect(written.machine.cpuModel).not.toBe("");
  expect(written.postgres.version).toMatch(/^\d+/);
  expect(written.git.commit).toMatch(/^[0-9a-f]{40}$|^unknown$/);
  expect(written.table).toBe(table);
  const bySerial = written.figures.find((f) => f.id === "lookups.bySerial.p50");
  expect(bySerial).toMatchObject({ scenario: "Lookups", unit: "ms", higherIsBetter: false });
  expect(bySerial!.samples).toHaveLength(1);
  expect(bySerial!.summary.median).toBeGreaterThan(0);
  expect(bySerial!.cpu!.client).toBeGreaterThanOrEqual(0);
  expect(written.figures.map((f) => f.id)).toEqual(
    expect.arrayContaining([
      "lookups.byId.p99",
      "lookups.namespaces.p50",
      "lookups.types.p50",
      "lookups.catalog.p99",
      "lookups.conditional.p50",
    ]),
  );
  expect(written.figures.find((f) => f.id === "lookups.bySerial.p99")!.targets).toEqual([
    { text: "p99 ≤ 2 ms (at 10M)", met: expect.any(Boolean) },
  ]);
}, 60_000);
