/**
 * What registering a transformation would mean, before it is registered (as the schema registry's
 * candidate check does for schemas): does the code compile, and what does it make of the source
 * version's registered examples and of the newest stored facts of that version — each result
 * validated against the target version's schema. Shown first by `factline schema transform
 * register` and the console.
 */
import type { FactHeader, StoredFact } from "../facts/fact";
import type { Sandbox } from "../sandbox/sandbox";
import type { SchemaRegistry } from "../schemas/registry";
import type { PayloadError } from "../schemas/validation";
import type { Db } from "../storage/db";
import { getSchema } from "../storage/schemas";
import { getTransformation } from "../storage/transformations/get";
import { newestFactsOf } from "../storage/transformations/sample";
import type { TransformationKey } from "../storage/transformations/types";

// Stored facts checked by default: enough to meet the shapes a type's payloads take, quick enough
// to wait for (the sandbox runs ~15,000 facts/s).
export const DEFAULT_SAMPLE_LIMIT = 1_000;
export const MAX_SAMPLE_LIMIT = 100_000;
// Payloads per sandbox run; a failure costs one run, the rest of its batch runs again.
const BATCH = 50;
// Failures listed, and failures after which the check stops: enough to see the pattern, and a
// script failing on everything does not cost one sandbox run per payload.
const MAX_FAILURES = 20;

export interface CheckFailure {
  source: string;
  serial?: bigint;
  factId?: string;
  message: string;
  errors: PayloadError[];
}

export interface TransformationCheck {
  compiles: boolean;
  compileError: string;
  targetSchemaRegistered: boolean;
  checked: number;
  passed: number;
  failed: number;
  examplesChecked: number;
  firstFailures: CheckFailure[];
  sampleIncomplete: boolean;
  stopped: string;
  exists: boolean;
  unchanged: boolean;
}

interface Item {
  source: string;
  payload: string;
  fact?: StoredFact;
}

export async function checkTransformation(
  deps: { db: Db; reads: Db; sandbox: Sandbox; schemas: SchemaRegistry },
  key: TransformationKey,
  code: string | undefined,
  options: { sampleLimit: number; signal?: AbortSignal },
): Promise<TransformationCheck> {
  const existing = await getTransformation(deps.db, key);
  const report: TransformationCheck = {
    compiles: true,
    compileError: "",
    targetSchemaRegistered: deps.schemas.has({ ns: key.ns, type: key.type, version: key.to }),
    checked: 0,
    passed: 0,
    failed: 0,
    examplesChecked: 0,
    firstFailures: [],
    sampleIncomplete: false,
    stopped: "",
    exists: existing !== undefined,
    unchanged: existing !== undefined && existing.code === code,
  };
  if (code !== undefined) {
    const failure = await deps.sandbox.checkTransformation(code);
    if (failure) {
      report.compiles = false;
      report.compileError = failure.message;
      return report;
    }
  }
  const target = deps.schemas.schemaToCheck({ ns: key.ns, type: key.type, version: key.to });
  const source = await getSchema(deps.db, { ns: key.ns, type: key.type, version: key.from });
  const items: Item[] = (source?.examples ?? []).map((payload, i) => ({ source: `example ${i + 1}`, payload }));
  report.examplesChecked = items.length;
  const sample = await newestFactsOf(
    deps.reads,
    { ns: key.ns, type: key.type, version: key.from },
    options.sampleLimit,
    options.signal,
  );
  report.sampleIncomplete = sample.more;
  for (const fact of sample.facts) {
    items.push({
      source: `fact ${fact.ser} ${(JSON.parse(fact.header) as FactHeader).id}`,
      payload: fact.payload,
      fact,
    });
  }

  const codes = code === undefined ? [] : [code];
  const fail = (item: Item, message: string, errors: PayloadError[] = []) => {
    report.failed++;
    if (report.firstFailures.length < MAX_FAILURES) {
      const fact = item.fact && { serial: item.fact.ser, factId: (JSON.parse(item.fact.header) as FactHeader).id };
      report.firstFailures.push({ source: item.source, ...fact, message, errors });
    }
  };
  let at = 0;
  let size = BATCH;
  while (at < items.length) {
    if (report.failed >= MAX_FAILURES) {
      report.stopped = `stopped after ${MAX_FAILURES} failures; ${items.length - at} payloads were not checked`;
      break;
    }
    const batch = items.slice(at, at + size);
    const payloads = batch.map((i) => i.payload);
    const outcome = await deps.sandbox.transform(codes, payloads, undefined, options.signal);
    if (outcome.ok) {
      // Validated in the validation workers when large or slow (store/schemas/payload-checks.ts).
      const checked = target
        ? await deps.schemas.checks.check(
            outcome.payloads.map((payload, n) => ({
              payload,
              label: `the result of ${batch[n].source}`,
              schema: target,
            })),
            { signal: options.signal },
          )
        : outcome.payloads.map(() => ({ ok: true }) as const);
      checked.forEach((result, n) => {
        report.checked++;
        if (result.ok) report.passed++;
        else if ("errors" in result)
          fail(batch[n], `the result does not match the schema of version ${key.to}`, result.errors);
        else if ("problem" in result) fail(batch[n], result.problem);
        else fail(batch[n], `the schema of version ${key.to} cannot be compiled; fix the registry`);
      });
      at += batch.length;
      size = BATCH;
      continue;
    }
    if (outcome.index > 0) {
      // The payloads before the failing one ran, but a failed run returns no results: run just them.
      size = outcome.index;
      continue;
    }
    report.checked++;
    fail(batch[0], outcome.failure.message);
    at += 1;
    size = BATCH;
    if (outcome.failure.kind === "timeout" || outcome.failure.kind === "memory" || outcome.failure.kind === "crash") {
      // Each breach costs a sandbox worker; one is enough to know.
      report.stopped = `stopped: the script broke a sandbox limit; ${items.length - at} payloads were not checked`;
      break;
    }
  }
  return report;
}
