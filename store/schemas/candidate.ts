import { isDeepStrictEqual } from "node:util";
import type { FactHeader } from "../facts/fact";
import type { Db } from "../storage/db";
import { FactReader } from "../storage/read";
import { getSchema, listSchemas, type SchemaKey } from "../storage/schemas";
import { diffSchemas, type SchemaChange } from "./diff";
import { schemaKey, type PayloadChecks } from "./payload-checks";
import type { PayloadError, SchemaProblem } from "./validation";

// A dry run reads stored facts in cursor chunks; by default it stops after this many so that a
// check stays interactive on a large store (the report says when it stopped early).
export const DEFAULT_DRY_RUN_LIMIT = 100_000;
// Enough failures to see the pattern without shipping thousands of error lists to a browser.
const MAX_LISTED_FAILURES = 20;

export interface DryRunFailure {
  serial: bigint;
  factId: string;
  errors: PayloadError[];
}

export interface CandidateReport {
  schemaValid: boolean;
  schemaProblems: SchemaProblem[];
  comparedToVersion: number;
  changes: SchemaChange[];
  exists: boolean;
  unchanged: boolean;
  dryRun: { checked: number; failed: number; firstFailures: DryRunFailure[]; incomplete: boolean };
}

/**
 * What registering `schemaText` as `key` would mean: is it a valid JSON Schema, how does it differ
 * from the version it is compared with, and how many stored facts of that namespace and type (any
 * version) it would reject. Compiling and validating run in the validation workers (`checks`), each
 * with a deadline; a caller who gives up stops the dry run at the fact it is on.
 */
export async function checkCandidate(
  db: Db,
  checks: PayloadChecks,
  key: SchemaKey,
  schemaText: string,
  options: { compareToVersion: number; dryRunLimit: number; reads?: Db; signal?: AbortSignal },
): Promise<CandidateReport> {
  const report: CandidateReport = {
    schemaValid: false,
    schemaProblems: [],
    comparedToVersion: 0,
    changes: [],
    exists: false,
    unchanged: false,
    dryRun: { checked: 0, failed: 0, firstFailures: [], incomplete: false },
  };
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    report.schemaProblems.push({ pointer: "", message: `not valid JSON: ${(err as Error).message}` });
    return report;
  }
  const candidate = { key: schemaKey(schemaText), text: schemaText, name: `${key.ns}/${key.type}/v${key.version}` };
  const problems = await checks.compile(candidate, options.signal);
  if (problems) {
    report.schemaProblems = problems;
    return report;
  }
  report.schemaValid = true;

  const existing = await getSchema(db, key);
  report.exists = existing !== undefined;
  report.unchanged = existing !== undefined && isDeepStrictEqual(JSON.parse(existing.schema), schema);
  const baseline = await baselineFor(db, key, options.compareToVersion);
  if (baseline) {
    report.comparedToVersion = baseline.version;
    report.changes = diffSchemas(JSON.parse(baseline.schema), schema);
  }

  const reader = new FactReader(
    options.reads ?? db,
    [{ ns: key.ns, type: key.type, version: 0, aggIds: [], meta: {}, metaKeyExists: {}, aggIdProperties: {} }],
    0n,
    undefined,
    { signal: options.signal },
  );
  try {
    for (let read = await reader.next(); read.length > 0; read = await reader.next()) {
      const room = options.dryRunLimit - report.dryRun.checked;
      const facts = read.length > room ? read.slice(0, room) : read;
      const listed = report.dryRun.firstFailures;
      const outcomes = await checks.check(
        facts.map((f) => ({ payload: f.payload, label: `fact ${f.ser}`, schema: candidate })),
        { signal: options.signal, listFailures: MAX_LISTED_FAILURES - listed.length },
      );
      report.dryRun.checked += facts.length;
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) return;
        report.dryRun.failed++;
        if (listed.length >= MAX_LISTED_FAILURES) return;
        const errors: PayloadError[] =
          "errors" in outcome
            ? outcome.errors
            : [{ pointer: "", message: "problem" in outcome ? outcome.problem : "", keyword: "", schemaPath: "" }];
        listed.push({ serial: facts[i].ser, factId: (JSON.parse(facts[i].header) as FactHeader).id, errors });
      });
      if (report.dryRun.checked >= options.dryRunLimit) {
        report.dryRun.incomplete = facts.length < read.length || (await reader.next()).length > 0;
        return report;
      }
    }
  } finally {
    await reader.close();
  }
  return report;
}

/** The version to compare with: the one asked for, else the same version (a replacement), else the highest below. */
async function baselineFor(db: Db, key: SchemaKey, compareTo: number) {
  if (compareTo > 0) return getSchema(db, { ...key, version: compareTo });
  const same = await getSchema(db, key);
  if (same) return same;
  const lower = (await listSchemas(db, { ns: key.ns, type: key.type })).filter((s) => s.version < key.version);
  return lower.length > 0 ? getSchema(db, lower[lower.length - 1]) : undefined;
}
