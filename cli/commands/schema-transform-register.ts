// `factline schema transform register` and `check`: a transformation's check, run by the store on
// the source version's registered examples and newest stored facts, shown first (as `schema
// register` shows a schema's), then a confirmed registration.
import { Command, Option } from "commander";
import { CliError, ExitCode, rejectedError, usageError } from "../errors";
import type { Runtime } from "../runtime";
import { canAsk, confirm } from "../schema/confirm";
import { inRegistry, readTextInput } from "../schema/registry";
import {
  checkTransformKey,
  describeTransformKey,
  renderTransformCheck,
  transformationView,
  transformCheckView,
  wireTransformKey,
  withTransformKeyArguments,
  type TransformCheckView,
  type TransformKeyArgs,
} from "../schema/transforms";

const REGISTER_EXAMPLES = `
The code is a JavaScript function that changes the payload it is given in place, as in FactCast:
  function (e) { e.displayName = e.firstName + " " + e.lastName; }
First the store checks it and this command shows the result: whether it compiles, and what it
makes of the registered examples of <from> and the newest stored facts of <from> (--sample, 1,000
by default), each result validated against the schema of <to>. Then it asks before registering;
--yes skips the question, and without a terminal --yes is required. Code that does not compile
exits 2 and nothing is registered. A downcast (<to> below <from>) may have no code: leave out the
file, and the payload passes unchanged (it must still fit <to>). Registered code is immutable:
other code for a registered pair exits 2, unless --force with a --reason (kept in its history).

Examples:
  $ factline schema transform register users UserCreated 1 2 1-2.js
  $ factline schema transform register users UserCreated 3 2 --yes          # a downcast without code
  $ factline schema transform register users UserCreated 1 2 fixed.js --force --reason "wrong default" --yes
  $ factline schema transform register users UserCreated 1 2 1-2.js --dry-run --json | jq .check`;

interface RegisterOptions {
  description?: string;
  force?: boolean;
  reason?: string;
  yes?: boolean;
  dryRun?: boolean;
  sample?: number;
}

type Outcome = "registered" | "replaced" | "unchanged" | "invalid" | "conflict" | "checked" | "not confirmed";

function parseSample(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 100_000)
    throw usageError(`--sample must be a whole number from 0 to 100000, got "${raw}"`);
  return n;
}

const sampleOption = () =>
  new Option("--sample <n>", "how many of the newest stored facts to run it on (default 1000)").argParser(parseSample);

export function schemaTransformRegisterCommand(runtime: Runtime): Command {
  return withTransformKeyArguments(new Command("register"))
    .summary("check a transformation against the store, show the result, then register it")
    .description(
      "Register a transformation (JavaScript) from one version of a type to another, after showing what the store's check found.",
    )
    .argument("[code-file]", "the transform.js file, or - for stdin; leave out for a downcast without code")
    .option("--description <text>", "what it does, shown in the console")
    .option("--force", "replace registered code that differs (needs --reason)")
    .option("--reason <text>", "why registered code must change; recorded with the replacement")
    .option("-y, --yes", "register without asking")
    .option("--dry-run", "only show the check; register nothing")
    .addOption(sampleOption())
    .addHelpText("after", REGISTER_EXAMPLES)
    .action(
      async (
        ns: string,
        type: string,
        from: number,
        to: number,
        file: string | undefined,
        options: RegisterOptions,
        cmd: Command,
      ) => {
        const key = checkTransformKey({ ns, type, from, to });
        if (options.force && (options.reason ?? "").trim() === "") {
          throw usageError("--force needs --reason <text>: say why registered code must change (it is recorded)");
        }
        if (options.reason !== undefined && !options.force) throw usageError("--reason only applies with --force");
        const code = await codeOf(key, file);
        await register(runtime, cmd, key, code, options);
      },
    );
}

/** The code from a file or stdin; none for a downcast without a file. */
async function codeOf(key: TransformKeyArgs, file: string | undefined): Promise<string> {
  if (file === undefined) {
    if (key.to > key.from) {
      throw usageError(
        `an upcast (${key.from} → ${key.to}) needs code: give the transform.js file (a function that changes the payload in place)`,
      );
    }
    return "";
  }
  const input = await readTextInput(file);
  if (input.text.trim() === "")
    throw usageError(`${input.name} is empty; leave out the file for a downcast without code`);
  return input.text;
}

async function runCheck(runtime: Runtime, cmd: Command, key: TransformKeyArgs, code: string, sample?: number) {
  const { store } = await runtime.connect(cmd);
  const res = await inRegistry(() =>
    store.transformations.checkTransformation(
      { key: wireTransformKey(key), code, sampleLimit: sample ?? 0 },
      { signal: runtime.signal },
    ),
  );
  return { store, check: transformCheckView(res) };
}

async function register(runtime: Runtime, cmd: Command, key: TransformKeyArgs, code: string, options: RegisterOptions) {
  const { json } = runtime.globals(cmd);
  const { store, check } = await runCheck(runtime, cmd, key, code, options.sample);
  const result = async (outcome: Outcome, registered?: unknown) => {
    if (json)
      await runtime.stdout.line(
        JSON.stringify({ ...key, check, outcome, ...(registered ? { transformation: registered } : {}) }),
      );
  };
  if (!json) for (const line of renderTransformCheck(key, check, code !== "")) await runtime.stdout.line(line);
  if (!check.compiles) {
    await result("invalid");
    throw rejectedError("the code does not compile (the check says why); nothing was registered");
  }
  if (options.dryRun) return result("checked");
  if (check.unchanged) {
    if (!json) await runtime.stdout.line("nothing to do: this transformation is registered with exactly this code");
    return result("unchanged");
  }
  if (check.exists && !options.force) {
    await result("conflict");
    throw rejectedError(
      `${describeTransformKey(key)} is registered with different code; registered code is immutable: replace it with --force --reason <why>`,
    );
  }
  if (!options.yes) {
    const refusal = await askToConfirm(key, check, code !== "", json);
    if (refusal) {
      await result("not confirmed");
      throw refusal;
    }
  }
  const res = await inRegistry(() =>
    store.transformations.registerTransformation(
      {
        key: wireTransformKey(key),
        code,
        description: options.description ?? "",
        force: options.force ?? false,
        reason: options.reason ?? "",
      },
      { signal: runtime.signal },
    ),
  );
  const registered = transformationView(res.transformation!, true);
  const outcome: Outcome = res.unchanged ? "unchanged" : res.replaced ? "replaced" : "registered";
  if (!json) await runtime.stdout.line(`${outcome} ${describeTransformKey(key)} (revision ${registered.revision})`);
  await result(outcome, registered);
}

async function askToConfirm(
  key: TransformKeyArgs,
  check: TransformCheckView,
  hasCode: boolean,
  json: boolean,
): Promise<CliError | undefined> {
  if (!canAsk()) {
    return usageError(
      "not registered: there is no terminal to confirm on; pass --yes to register without asking (--dry-run to only check)",
    );
  }
  if (json) process.stderr.write(renderTransformCheck(key, check, hasCode).join("\n") + "\n");
  const failing = check.failed > 0 ? ` ${check.failed} of the checked payloads fail.` : "";
  const question = check.exists
    ? `Replace ${describeTransformKey(key)} with this code?${failing}`
    : `Register ${describeTransformKey(key)}?${failing}`;
  return (await confirm(question)) ? undefined : new CliError("not registered", ExitCode.usage);
}

const CHECK_EXAMPLES = `
Runs the code as \`register\` would check it and prints the result; registers nothing. Exits 2 when
the code does not compile or any checked payload fails (the script throws, breaks a sandbox limit,
or its result does not fit the schema of <to>), 0 when everything passes.

Examples:
  $ factline schema transform check users UserCreated 1 2 1-2.js
  $ factline schema transform check users UserCreated 1 2 1-2.js --sample 10000 --json | jq .failed`;

export function schemaTransformCheckCommand(runtime: Runtime): Command {
  return withTransformKeyArguments(new Command("check"))
    .summary("run a transformation over examples and stored facts, without registering it")
    .description("Check a transformation on the source version's examples and newest stored facts; registers nothing.")
    .argument("[code-file]", "the transform.js file, or - for stdin; leave out for a downcast without code")
    .addOption(sampleOption())
    .addHelpText("after", CHECK_EXAMPLES)
    .action(
      async (
        ns: string,
        type: string,
        from: number,
        to: number,
        file: string | undefined,
        options: { sample?: number },
        cmd: Command,
      ) => {
        const key = checkTransformKey({ ns, type, from, to });
        const code = await codeOf(key, file);
        const { check } = await runCheck(runtime, cmd, key, code, options.sample);
        if (runtime.globals(cmd).json) await runtime.stdout.line(JSON.stringify({ ...key, ...check }));
        else for (const line of renderTransformCheck(key, check, code !== "")) await runtime.stdout.line(line);
        if (!check.compiles) throw rejectedError("the code does not compile");
        if (check.failed > 0) throw rejectedError(`${check.failed} of ${check.checked} checked payloads fail`);
      },
    );
}
