// What every `factline schema transform …` command shares: the (ns, type, from, to) key from the
// command line, the store's answers reshaped for --json, and the check as text for a terminal.
import { Command } from "commander";
import type {
  CheckTransformationResponse,
  Transformation,
  TransformationReplacement,
} from "../../gen/factline/admin/v1/transformations_pb";
import { usageError } from "../errors";
import { formatCount } from "../output";
import { parseSchemaVersion } from "./registry";

export interface TransformKeyArgs {
  ns: string;
  type: string;
  from: number;
  to: number;
}

/** Adds `<ns> <type> <from> <to>` to a command. */
export function withTransformKeyArguments(command: Command): Command {
  return command
    .argument("<ns>", "the namespace")
    .argument("<type>", "the fact type")
    .argument("<from>", "the version it transforms from (1, 2, …)", parseSchemaVersion)
    .argument("<to>", "the version it transforms into", parseSchemaVersion);
}

/** Blank names and a version into itself would only come back from the store as INVALID_ARGUMENT. */
export function checkTransformKey(key: TransformKeyArgs): TransformKeyArgs {
  if (key.ns.trim() === "") throw usageError("<ns> must not be blank");
  if (key.type.trim() === "") throw usageError("<type> must not be blank");
  if (key.from === key.to)
    throw usageError(`<from> and <to> are both ${key.from}; a transformation changes the version`);
  return key;
}

export function describeTransformKey(key: TransformKeyArgs): string {
  return `${key.ns}/${key.type} ${key.from} → ${key.to}`;
}

export const wireTransformKey = (key: TransformKeyArgs) => ({
  ns: key.ns,
  type: key.type,
  fromVersion: key.from,
  toVersion: key.to,
});

const direction = (key: TransformKeyArgs) => (key.to > key.from ? "upcast" : "downcast");

export interface TransformationView extends TransformKeyArgs {
  kind: "upcast" | "downcast";
  /** null without code (the identity); absent in lists. */
  code?: string | null;
  synthetic: boolean;
  description: string;
  registeredBy: string;
  registeredAt: string | null;
  revision: number;
  hash: string;
}

export function transformationView(t: Transformation, withCode: boolean): TransformationView {
  const key = { ns: t.key!.ns, type: t.key!.type, from: t.key!.fromVersion, to: t.key!.toVersion };
  return {
    ...key,
    kind: direction(key),
    ...(withCode ? { code: t.code === "" ? null : t.code } : {}),
    synthetic: t.synthetic,
    description: t.description,
    registeredBy: t.registeredBy,
    registeredAt: t.registeredMs > 0n ? new Date(Number(t.registeredMs)).toISOString() : null,
    revision: t.revision,
    hash: t.hash,
  };
}

export function replacementView(h: TransformationReplacement) {
  return {
    revision: h.revision,
    code: h.code === "" ? null : h.code,
    registeredBy: h.registeredBy,
    registeredAt: new Date(Number(h.registeredMs)).toISOString(),
    reason: h.reason,
  };
}

export interface TransformCheckView {
  compiles: boolean;
  compileError: string;
  targetSchemaRegistered: boolean;
  checked: number;
  passed: number;
  failed: number;
  examplesChecked: number;
  sampleIncomplete: boolean;
  stopped: string;
  exists: boolean;
  unchanged: boolean;
  firstFailures: Array<{
    source: string;
    serial?: number;
    factId?: string;
    message: string;
    errors: Array<{ pointer: string; message: string }>;
  }>;
}

export function transformCheckView(c: CheckTransformationResponse): TransformCheckView {
  return {
    compiles: c.compiles,
    compileError: c.compileError,
    targetSchemaRegistered: c.targetSchemaRegistered,
    checked: Number(c.checked),
    passed: Number(c.passed),
    failed: Number(c.failed),
    examplesChecked: Number(c.examplesChecked),
    sampleIncomplete: c.sampleIncomplete,
    stopped: c.stopped,
    exists: c.exists,
    unchanged: c.unchanged,
    firstFailures: c.firstFailures.map((f) => ({
      source: f.source,
      ...(f.factId ? { serial: Number(f.serial), factId: f.factId } : {}),
      message: f.message,
      errors: f.errors.map((e) => ({ pointer: e.pointer, message: e.message })),
    })),
  };
}

// Failures shown by the text output: enough to see the pattern on one screen; --json has all the
// store sent (up to 20).
const MAX_SHOWN_FAILURES = 5;

/** What registering the candidate would mean, as `schema transform register` shows it before asking. */
export function renderTransformCheck(key: TransformKeyArgs, check: TransformCheckView, hasCode: boolean): string[] {
  const what = `${describeTransformKey(key)} (${direction(key)}${hasCode ? "" : " without code: the payload passes unchanged"})`;
  const lines = [
    !check.exists
      ? `${what}: a new transformation`
      : check.unchanged
        ? `${what}: already registered with this code`
        : `${what}: already registered with different code`,
  ];
  if (!check.compiles) {
    lines.push(`code: does NOT compile: ${check.compileError}`);
    return lines;
  }
  if (hasCode) lines.push("code: compiles to a function");
  lines.push(
    check.targetSchemaRegistered
      ? `target: version ${key.to} has a schema; every result is validated against it`
      : `target: NO schema is registered for version ${key.to}; register it first (the store refuses the transformation without it)`,
  );
  const facts = check.checked - check.examplesChecked;
  const sources = [
    `${formatCount(check.examplesChecked)} registered example${check.examplesChecked === 1 ? "" : "s"} of version ${key.from}`,
    `${check.sampleIncomplete ? "the newest " : ""}${formatCount(Math.max(0, facts))} stored fact${facts === 1 ? "" : "s"} of version ${key.from}`,
  ];
  if (check.checked === 0)
    lines.push(`check: nothing to run it on (no examples, no stored facts of version ${key.from})`);
  else lines.push(`check: ${formatCount(check.passed)} of ${formatCount(check.checked)} pass (${sources.join(", ")})`);
  for (const f of check.firstFailures.slice(0, MAX_SHOWN_FAILURES)) {
    lines.push(`  ${f.source}: ${f.message}`);
    for (const e of f.errors) lines.push(`    ${e.pointer || "/"} ${e.message}`);
  }
  const more = check.failed - Math.min(check.failed, MAX_SHOWN_FAILURES);
  if (more > 0) lines.push(`  … and ${formatCount(more)} more`);
  if (check.stopped) lines.push(`check ${check.stopped}`);
  return lines;
}
