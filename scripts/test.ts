/**
 * `npm test`: every stage in order, vitest's readable output as it goes, and one last line
 * `N passed, N failed` that CI reads. Later stages run even when an earlier one failed, so a
 * single run shows everything that is broken. The failures are listed again at the very end, with
 * their first message line, because CI often keeps only the tail of a long run's output.
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
  /** "file › test: first line of the message", for the list at the end. */
  failures?: string[];
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
    const counts: Outcome = await fs.readFile(report, "utf8").then(
      (text) => countTests(JSON.parse(text) as JsonReport),
      () => ({ passed: 0, failed: 0 }),
    );
    // A stage that fails outside any test (global setup, syntax error, crash) still counts as one
    // failure, so the summary line can never read "0 failed" for a red run.
    if (code !== 0 && counts.failed === 0) {
      counts.failed = 1;
      counts.failures = [`${project}: vitest exited with ${code} outside any test (see its output above)`];
    }
    return counts;
  } finally {
    await fs.rm(reportDir, { recursive: true, force: true });
  }
}

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { status: string; fullName: string; failureMessages?: string[] }[];
  }[];
}

/** A file whose beforeAll failed reports its tests as skipped; count such a file as one failure. */
function countTests(report: JsonReport): Outcome {
  const failures: string[] = [];
  let brokenFiles = 0;
  for (const file of report.testResults) {
    const where = path.relative(repoRoot, file.name);
    const failed = file.assertionResults.filter((test) => test.status === "failed");
    for (const test of failed) failures.push(`${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (file.status === "failed" && failed.length === 0) {
      brokenFiles++;
      failures.push(`${where}: ${firstLine(file.message)}`);
    }
  }
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles, failures };
}

/** Vitest's messages carry ANSI colours and stacks; the list wants one readable line. */
function firstLine(message: string | undefined): string {
  const plain = (message ?? "no message").replace(/\u001b\[[0-9;]*m/g, "");
  return plain.split("\n", 1)[0].slice(0, 300);
}

const total: Outcome = { passed: 0, failed: 0 };
const timings: string[] = [];
const failures: string[] = [];
for (const stage of stages) {
  console.log(`\n━━ ${stage.name} ━━`);
  const started = Date.now();
  const outcome = await stage.run();
  total.passed += outcome.passed;
  total.failed += outcome.failed;
  failures.push(...(outcome.failures ?? []).map((failure) => `${stage.name.split(" ")[0]} ${failure}`));
  if (outcome.failed > 0 && !outcome.failures?.length) failures.push(`${stage.name}: failed (see its output above)`);
  timings.push(
    `${stage.name}: ${outcome.passed} passed, ${outcome.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
// At most 50 lines: a run where everything broke needs its first failures, not a wall of them.
if (failures.length > 0) {
  const listed = failures.slice(0, 50).map((failure) => `  ✗ ${failure}`);
  if (failures.length > 50) listed.push(`  … and ${failures.length - 50} more above`);
  console.log(`\nfailed:\n${listed.join("\n")}`);
}
console.log(`\n${timings.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed > 0 ? 1 : 0);
