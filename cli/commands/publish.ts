import { Command, InvalidArgumentError, Option } from "commander";
import { CliError, ExitCode, usageError } from "../errors";
import { readLines } from "../ndjson";
import { formatCount, Progress } from "../output";
import { BATCH_MAX_FACTS } from "../../factcast/publish-limits";
import { BatchFailed, BatchPublisher, type PublishedFact } from "../publish/batch-publisher";
import { MAX_VERSION, parseLine, toWireFact, type Shorthand } from "../publish/fact-input";
import { openInput, type PublishInput } from "../publish/input";
import type { Runtime } from "../runtime";
import { parseKeyValue, parseUuid } from "../spec-options";
import { storeError } from "../store-client";

/** Invalid lines listed in full; beyond this only counted, so a wrong file does not flood the terminal. */
const MAX_REPORTED_ERRORS = 20;

const EXAMPLES = `
Input: one fact per line, {"header":{"ns":"shop","type":"OrderPlaced",…},"payload":{…}}; a missing
header.id gets a new random UUID. With --ns, every line is just a payload and the header comes from
the flags. Every line is checked first: if any is invalid, the invalid lines are listed with their
numbers and nothing is published (unless --skip-invalid). Facts go to the store in batches of up to
${BATCH_MAX_FACTS}; prints the serial of each published fact, one per line.

Examples:
  $ factline publish facts.ndjson
  $ factline catchup --ns shop --store http://old:9090 | factline publish -   # copy facts between stores
  $ echo '{"orderId":"A-1","total":12.5}' | factline publish --ns shop --type OrderPlaced --version 1
  $ factline publish --ns audit --type Login --meta tenant=acme logins.ndjson
  $ factline publish --dry-run facts.ndjson          # only check the input
  $ factline publish --json facts.ndjson | jq .serial`;

interface PublishOptions {
  ns?: string;
  type?: string;
  version?: number;
  aggId?: string[];
  meta?: Array<[string, string]>;
  skipInvalid?: boolean;
  dryRun?: boolean;
}

interface InvalidLine {
  line: number;
  error: string;
}

interface CheckResult {
  valid: number;
  invalidCount: number;
  /** The first MAX_REPORTED_ERRORS of them. */
  invalid: InvalidLine[];
  /** Explicit id → the line that has it first; a later line with the same id is invalid. */
  firstLineOfId: Map<string, number>;
}

function parseVersion(raw: string): number {
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v > MAX_VERSION)
    throw new InvalidArgumentError(`expected an integer from 0 to ${MAX_VERSION}.`);
  return v;
}

const collect =
  <T>(parse: (raw: string) => T) =>
  (raw: string, previous: T[] = []) => [...previous, parse(raw)];

export function publishCommand(runtime: Runtime): Command {
  return new Command("publish")
    .summary("publish facts from an NDJSON file or stdin")
    .description("Publish facts, one per line, from a file or stdin; print their serials.")
    .argument("[file]", "NDJSON file, or - for stdin", "-")
    .addOption(new Option("--ns <namespace>", "shorthand: every line is a payload of a fact in this namespace"))
    .addOption(new Option("--type <type>", "shorthand: the facts' type"))
    .addOption(new Option("--version <n>", "shorthand: the facts' version").argParser(parseVersion))
    .addOption(
      new Option("--agg-id <uuid>", "shorthand: an aggregate id of every fact (repeatable)").argParser(
        collect(parseUuid),
      ),
    )
    .addOption(
      new Option("--meta <key=value>", "shorthand: a meta entry of every fact (repeatable)").argParser(
        collect(parseKeyValue),
      ),
    )
    .option("--skip-invalid", "publish the valid lines and report the invalid ones")
    .option("--dry-run", "check the input and report; publish nothing")
    .addHelpText("after", EXAMPLES)
    .action(async (file: string, options: PublishOptions, cmd: Command) => {
      const shorthand = toShorthand(options);
      const input = await openInput(file);
      try {
        await publish(runtime, cmd, input, shorthand, options);
      } finally {
        await input.dispose();
      }
    });
}

function toShorthand(options: PublishOptions): Shorthand | undefined {
  if (options.ns === undefined) {
    const stray = (["type", "version", "aggId", "meta"] as const).find((k) => options[k] !== undefined);
    if (stray)
      throw usageError(
        `--${stray === "aggId" ? "agg-id" : stray} only applies with --ns (the shorthand where every line is a payload)`,
      );
    return undefined;
  }
  if (options.ns.trim() === "") throw usageError("--ns must not be blank");
  return {
    ns: options.ns,
    type: options.type,
    version: options.version,
    aggIds: [...new Set(options.aggId ?? [])],
    meta: Object.fromEntries(options.meta ?? []),
  };
}

async function publish(
  runtime: Runtime,
  cmd: Command,
  input: PublishInput,
  shorthand: Shorthand | undefined,
  options: PublishOptions,
) {
  const { json } = runtime.globals(cmd);
  // Connect before reading, so an unreachable store fails at once rather than after a long input.
  const connected = options.dryRun ? undefined : await runtime.connect(cmd);
  if (input.interactive) runtime.note("reading facts from the terminal, one per line; end with Ctrl-D");

  const checked = await checkInput(runtime, input, shorthand);
  for (const { line, error } of checked.invalid) runtime.note(`${input.name} line ${line}: ${error}`);
  if (checked.invalidCount > checked.invalid.length)
    runtime.note(`… and ${formatCount(checked.invalidCount - checked.invalid.length)} more invalid lines`);

  if (options.dryRun) {
    const summary = { valid: checked.valid, invalid: checked.invalidCount };
    await runtime.stdout.line(
      json
        ? JSON.stringify(summary)
        : `${formatCount(summary.valid)} valid facts, ${formatCount(summary.invalid)} invalid lines`,
    );
    if (checked.invalidCount > 0 && !options.skipInvalid)
      throw new CliError("the input has invalid lines", ExitCode.usage);
    return;
  }
  if (checked.invalidCount > 0 && !options.skipInvalid) {
    throw usageError(
      `nothing was published: ${formatCount(checked.invalidCount)} of ${formatCount(checked.valid + checked.invalidCount)} lines are invalid; fix them or use --skip-invalid`,
    );
  }
  if (checked.invalidCount > 0)
    runtime.note(`skipping ${formatCount(checked.invalidCount)} invalid lines (--skip-invalid)`);

  const { store } = connected!;
  const progress = new Progress();
  const publisher = new BatchPublisher(store, async (facts: PublishedFact[]) => {
    for (const f of facts) {
      await runtime.stdout.line(
        json ? JSON.stringify({ line: f.line, id: f.id, serial: Number(f.serial) }) : String(f.serial),
      );
    }
    progress.update(`published ${formatCount(publisher.published)} of ${formatCount(checked.valid)} facts`);
  });
  try {
    for await (const line of readLines(input.reread())) {
      // Ctrl-C stops between facts; a batch already sent completes, so the outcome is known.
      if (runtime.interruption === "SIGINT") break;
      const result = parseLine(line.text, shorthand);
      if (!result.ok) continue;
      const { id } = result.fact;
      if (id !== undefined && checked.firstLineOfId.get(id) !== line.number) continue; // a repeated id
      await publisher.add({ ...toWireFact(result.fact), line: line.number });
    }
    if (runtime.interruption !== "SIGINT") await publisher.flush();
  } catch (err) {
    progress.done();
    if (!(err instanceof BatchFailed)) throw err;
    const base = storeError(err.cause, store.url);
    const lines = `lines ${err.firstLine}-${err.lastLine}`;
    const fate =
      base.exitCode === ExitCode.unreachable
        ? `the batch of ${lines} may or may not have been stored (check one of its ids with factline get); later lines were not published`
        : `the batch of ${lines} and everything after it was not published`;
    const before =
      publisher.published > 0
        ? `; the ${formatCount(publisher.published)} facts before line ${err.firstLine} were (their serials are printed)`
        : "";
    throw new CliError(`${base.message}\nfactline: ${fate}${before}`, base.exitCode);
  }
  progress.done();
  if (runtime.interruption === "SIGINT") {
    throw new CliError(
      `interrupted: ${formatCount(publisher.published)} facts were published${publisher.published > 0 ? " (serials printed)" : ""}; lines after the last printed serial were not`,
      ExitCode.interrupted,
    );
  }
  if (process.stderr.isTTY)
    runtime.note(
      checked.valid === 0
        ? "nothing to publish: the input has no facts"
        : `published ${formatCount(publisher.published)} facts`,
    );
}

/** The first reading: every line checked, ids of the input compared with each other. */
async function checkInput(
  runtime: Runtime,
  input: PublishInput,
  shorthand: Shorthand | undefined,
): Promise<CheckResult> {
  // One entry per explicit id: the store would refuse a repeated id only once the batch holding it
  // is sent, after earlier batches were already published.
  const seen = new Map<string, number>();
  const result: CheckResult = { valid: 0, invalidCount: 0, invalid: [], firstLineOfId: seen };
  const invalid = (line: number, error: string) => {
    result.invalidCount++;
    if (result.invalid.length < MAX_REPORTED_ERRORS) result.invalid.push({ line, error });
  };
  for await (const line of readLines(input.read())) {
    if (runtime.interruption === "SIGINT")
      throw new CliError("interrupted while reading the input; nothing was published", ExitCode.interrupted);
    const parsed = parseLine(line.text, shorthand);
    if (!parsed.ok) {
      invalid(line.number, parsed.error);
      continue;
    }
    const id = parsed.fact.id;
    if (id !== undefined) {
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        invalid(line.number, `header.id ${id} is already used on line ${earlier}`);
        continue;
      }
      seen.set(id, line.number);
    }
    result.valid++;
  }
  return result;
}
