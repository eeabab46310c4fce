import { Command, Option } from "commander";
import { CliError, ExitCode, rejectedError, usageError } from "../errors";
import type { Runtime } from "../runtime";
import { canAsk, confirm } from "../schema/confirm";
import {
  describeKey,
  checkKey,
  inRegistry,
  readTextInput,
  registeredBy,
  requireJson,
  withKeyArguments,
  type SchemaKeyArgs,
  type TextInput,
} from "../schema/registry";
import { renderCheck } from "../schema/render";
import { checkView, schemaView, type CheckView } from "../schema/views";

const EXAMPLES = `
First the store checks the candidate and this command shows the result: whether it is a valid
JSON Schema (problems with JSON pointers into it), the changes against the previous version, each
marked breaking or not for readers and for writers, and a dry run: how many stored facts of that
namespace and type (all versions) would fail it, with the first failures. Then it asks before
registering; --yes skips the question, and without a terminal --yes is required.
An invalid schema exits 2 and nothing is registered. A registered version is immutable: a
different schema for it exits 2, unless --force with a --reason (recorded in its history).

Examples:
  $ factline schema register shop OrderPlaced 3 order-placed-v3.json
  $ factline schema register shop OrderPlaced 3 order-placed-v3.json --dry-run     # only the check
  $ factline schema register users UserRegistered 2 schema.json --example alice.json --yes
  $ factline schema register shop OrderPlaced 3 fixed.json --force --reason "typo in a pattern" --yes
  $ cat schema.json | factline schema register shop OrderPlaced 3 - --yes --json | jq .check.dryRun`;

interface RegisterOptions {
  description?: string;
  example?: string[];
  force?: boolean;
  reason?: string;
  yes?: boolean;
  dryRun?: boolean;
}

type Outcome = "registered" | "replaced" | "unchanged" | "invalid" | "conflict" | "checked" | "not confirmed";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `schema register`: the candidate check shown first, then a confirmed registration. */
export function schemaRegisterCommand(runtime: Runtime): Command {
  return withKeyArguments(new Command("register"))
    .summary("check a schema against the store, show the result, then register it")
    .description(
      "Register a JSON Schema for a namespace, type and version, after showing what the store's candidate check found.",
    )
    .argument("<schema-file>", "the JSON Schema file, or - for stdin")
    .option("--description <text>", "what the version is for, shown in the console")
    .addOption(
      new Option(
        "--example <file>",
        "an example payload (JSON file), checked against the schema (repeatable)",
      ).argParser(collect),
    )
    .option("--force", "replace a registered version that has a different schema (needs --reason)")
    .option("--reason <text>", "why a registered version must change; recorded with the replacement")
    .option("-y, --yes", "register without asking")
    .option("--dry-run", "only show the check; register nothing")
    .addHelpText("after", EXAMPLES)
    .action(async (ns: string, type: string, version: number, file: string, options: RegisterOptions, cmd: Command) => {
      const key = checkKey({ ns, type, version });
      checkForceFlags(options);
      if (file === "-" && (options.example ?? []).includes("-"))
        throw usageError("stdin can hold the schema or an example, not both");
      const schema = await readTextInput(file);
      requireJson(schema, "the schema file");
      const examples: TextInput[] = [];
      for (const path of options.example ?? []) examples.push(await readTextInput(path));
      examples.forEach((e) => requireJson(e, "the example"));
      await register(runtime, cmd, key, schema, examples, options);
    });
}

function checkForceFlags(options: RegisterOptions): void {
  if (options.force && (options.reason ?? "").trim() === "") {
    throw usageError("--force needs --reason <text>: say why a registered version must change (it is recorded)");
  }
  if (options.reason !== undefined && !options.force) throw usageError("--reason only applies with --force");
}

async function register(
  runtime: Runtime,
  cmd: Command,
  key: SchemaKeyArgs,
  schema: TextInput,
  examples: TextInput[],
  options: RegisterOptions,
) {
  const { json } = runtime.globals(cmd);
  const { store } = await runtime.connect(cmd);
  const signal = runtime.signal;
  const check = checkView(
    await inRegistry(() => store.registry.checkCandidate({ key, schemaJson: schema.text }, { signal })),
  );
  const result = async (outcome: Outcome, registered?: ReturnType<typeof schemaView>) => {
    if (json)
      await runtime.stdout.line(
        JSON.stringify({ ...key, check, outcome, ...(registered ? { schema: registered } : {}) }),
      );
  };
  if (!json) for (const line of renderCheck(key, check)) await runtime.stdout.line(line);

  if (!check.schemaValid) {
    await result("invalid");
    throw rejectedError("the schema is not a valid JSON Schema (the check lists its problems); nothing was registered");
  }
  if (options.dryRun) return result("checked");
  if (check.unchanged) {
    if (!json) await runtime.stdout.line("nothing to do: this version is registered with exactly this schema");
    return result("unchanged");
  }
  if (check.exists && !options.force) {
    await result("conflict");
    throw rejectedError(
      `${describeKey(key)} is registered with a different schema; versions are immutable: register version ${key.version + 1}, ` +
        `or replace this one with --force --reason <why>`,
    );
  }
  if (!options.yes) {
    const refusal = await askToConfirm(key, check, json);
    if (refusal) {
      await result("not confirmed");
      throw refusal;
    }
  }

  const res = await inRegistry(() =>
    store.registry.registerSchema(
      {
        key,
        schemaJson: schema.text,
        description: options.description ?? "",
        registeredBy: registeredBy(),
        examples: examples.map((e) => e.text),
        force: options.force ?? false,
        reason: options.reason ?? "",
      },
      { signal },
    ),
  ).catch((err: unknown) => {
    throw namedExamples(err, examples);
  });
  const registered = schemaView(res.schema!);
  const outcome: Outcome = res.unchanged ? "unchanged" : res.replaced ? "replaced" : "registered";
  if (!json) await runtime.stdout.line(`${outcome} ${describeKey(key)} (revision ${registered.revision})`);
  await result(outcome, registered);
}

/** Asks the person at the terminal; resolves to the error to end with when not confirmed. */
async function askToConfirm(key: SchemaKeyArgs, check: CheckView, json: boolean): Promise<CliError | undefined> {
  if (!canAsk()) {
    return usageError(
      "not registered: there is no terminal to confirm on; pass --yes to register without asking (--dry-run to only check)",
    );
  }
  // With --json stdout holds only JSON, but the person about to answer still needs to see the check.
  if (json) process.stderr.write(renderCheck(key, check).join("\n") + "\n");
  const question = check.exists ? `Replace ${describeKey(key)} with this schema?` : `Register ${describeKey(key)}?`;
  return (await confirm(question)) ? undefined : new CliError("not registered", ExitCode.usage);
}

/** The store numbers examples (examples[1]); the user knows them by their file names. */
function namedExamples(err: unknown, examples: TextInput[]): unknown {
  if (!(err instanceof CliError)) return err;
  const message = err.message.replace(/examples\[(\d+)\]/g, (all, i: string) =>
    examples[Number(i)] ? `the example ${examples[Number(i)].name}` : all,
  );
  return message === err.message ? err : new CliError(message, err.exitCode);
}
