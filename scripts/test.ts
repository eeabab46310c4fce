/**
 * `npm test`: every stage in order, vitest's readable output as it goes, and one last line
 * `N passed, N failed` that CI reads. Later stages run even when an earlier one failed, so a
 * single run shows everything that is broken.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { postgres15Missing } from "../tests/support/postgres15.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const vitest = path.join(repoRoot, "node_modules", ".bin", "vitest");
const ci = process.env.CI === "true";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

interface Outcome {
  passed: number;
  failed: number;
}
interface Stage {
  name: string;
  run(): Promise<Outcome>;
}

const stages: Stage[] = [
  // The gate: code that does not type-check, breaks a lint rule (hooks, import boundaries) or is
  // not formatted fails the run before any test starts.
  { name: "gate: types (tsc --noEmit)", run: () => command("tsc", ["--noEmit"]) },
  { name: "gate: lint (eslint)", run: () => command("eslint", ["--max-warnings", "0", "."]) },
  { name: "gate: format (prettier --check)", run: () => command("prettier", ["--check", "--log-level", "warn", "."]) },
  { name: "unit", run: () => vitestProject("unit") },
  { name: "int (embedded PostgreSQL or DATABASE_URL)", run: () => vitestProject("int") },
  {
    name: "int-pg15 (PostgreSQL 15)",
    run: async () => {
      const missing = postgres15Missing();
      if (!missing) return vitestProject("int-pg15");
      if (ci) {
        console.error(`✗ ${missing}; under CI=true the oldest supported PostgreSQL must be tested`);
        return { passed: 0, failed: 1 };
      }
      console.log(`skipped: ${missing}`);
      return { passed: 0, failed: 0 };
    },
  },
  // Browser end-to-end: tests/e2e/global-setup.ts fails under CI=true without Chromium and skips
  // with the reason printed elsewhere.
  { name: "e2e (browser)", run: () => vitestProject("e2e") },
];

/** Runs a tool from node_modules/.bin; one failure when it exits non-zero. */
async function command(tool: string, args: string[]): Promise<Outcome> {
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(path.join(repoRoot, "node_modules", ".bin", tool), args, {
      cwd: repoRoot,
      env,
      stdio: "inherit",
    });
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code === 0) console.log(`✓ ${tool} ${args.join(" ")}`);
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** Runs one vitest project; counts come from its JSON report, not from parsing its text. */
async function vitestProject(project: string): Promise<Outcome> {
  const reportDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-test-"));
  const report = path.join(reportDir, "report.json");
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        vitest,
        ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
        { cwd: repoRoot, env, stdio: "inherit" },
      );
      child.once("error", reject);
      child.once("close", resolve);
    });
    const counts = await fs.readFile(report, "utf8").then(
      (text) => countTests(JSON.parse(text) as JsonReport),
      () => ({ passed: 0, failed: 0 }),
    );
    // A stage that fails outside any test (global setup, syntax error, crash) still counts as one
    // failure, so the summary line can never read "0 failed" for a red run.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  } finally {
    await fs.rm(reportDir, { recursive: true, force: true });
  }
}

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

/** A file whose beforeAll failed reports its tests as skipped; count such a file as one failure. */
function countTests(report: JsonReport): Outcome {
  const brokenFiles = report.testResults.filter(
    (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
  ).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles };
}

const total: Outcome = { passed: 0, failed: 0 };
const timings: string[] = [];
for (const stage of stages) {
  console.log(`\n━━ ${stage.name} ━━`);
  const started = Date.now();
  const outcome = await stage.run();
  total.passed += outcome.passed;
  total.failed += outcome.failed;
  timings.push(
    `${stage.name}: ${outcome.passed} passed, ${outcome.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
console.log(`\n${timings.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed > 0 ? 1 : 0);
