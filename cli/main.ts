// The `factline` command line: wires the commands into commander, runs one, and turns whatever
// happened into an exit code (cli/errors.ts). Commands never exit the process themselves.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { auditCommand } from "./commands/audit";
import { catchupCommand } from "./commands/catchup";
import { followCommand } from "./commands/follow";
import { getCommand } from "./commands/get";
import { infoCommand } from "./commands/info";
import { namespacesCommand } from "./commands/namespaces";
import { publishCommand } from "./commands/publish";
import { schemaCommand } from "./commands/schema";
import { secretCommand } from "./commands/secret";
import { typesCommand } from "./commands/types";
import { versionsCommand } from "./commands/versions";
import { CliError, ExitCode } from "./errors";
import { Runtime } from "./runtime";
import { DEFAULT_STORE_URL, checkStoreUrl, storeError } from "./store-client";

/** Every command, in the order `factline --help` lists them. */
const COMMANDS = [
  publishCommand,
  catchupCommand,
  followCommand,
  getCommand,
  namespacesCommand,
  typesCommand,
  versionsCommand,
  infoCommand,
  schemaCommand,
  auditCommand,
  secretCommand,
];

const EXAMPLES = `
Exit codes: 0 ok, 1 usage (bad flags, arguments or input), 2 rejected by the store,
3 store unreachable.

Examples:
  $ factline info
  $ factline publish facts.ndjson
  $ factline catchup --ns shop --type OrderPlaced | jq .payload
  $ factline follow --ns shop
  $ factline schema register shop OrderPlaced 3 order-placed-v3.json
  $ factline audit --action 'schema.*' --limit 20
  $ FACTLINE_STORE_URL=http://factcast.internal:9090 factline namespaces
  $ factline --store https://store.internal:9443 --ca ca.pem info`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function buildProgram(runtime: Runtime): Command {
  const program = new Command("factline")
    .description("Publish, read and follow facts in a factline store or any FactCast 1.8 server.")
    // Only -V is an option: global options are recognised after the subcommand too, and a global
    // --version would swallow `publish --version 2`. run() maps a leading --version to -V.
    .version(version(), "-V", "print factline's version (also: factline --version)")
    .addOption(
      new Option("--store <url>", "the store's gRPC address")
        .env("FACTLINE_STORE_URL")
        .default(DEFAULT_STORE_URL)
        .argParser(checkStoreUrl),
    )
    .addOption(
      new Option("--ca <file>", "PEM file of the CA that issued an https:// store's certificate").env(
        "FACTLINE_TLS_CA",
      ),
    )
    .addOption(new Option("--user <name>", "user for Basic authentication").env("FACTLINE_STORE_USER"))
    .addOption(
      new Option("--password <secret>", "password for Basic authentication (prefer the env variable)").env(
        "FACTLINE_STORE_PASSWORD",
      ),
    )
    .option("--json", "machine-readable output (JSON or NDJSON on stdout)")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXAMPLES);
  for (const create of COMMANDS) {
    program.addCommand(create(runtime).showHelpAfterError("(add --help for usage and examples)"));
  }
  // addCommand() does not pass settings down: every command gets them here. Errors commander finds
  // (unknown option, missing argument…) become exit 1 through exitOverride.
  const applyToAll = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureHelp({ showGlobalOptions: true, sortSubcommands: false });
    cmd.configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "factline: ")) });
    cmd.commands.forEach(applyToAll);
  };
  applyToAll(program);
  return program;
}

/** Runs the CLI and resolves to the exit code. */
export async function run(argv: string[], runtime = new Runtime()): Promise<number> {
  const program = buildProgram(runtime);
  let code: number = ExitCode.ok;
  if (argv[2] === "--version") argv = [...argv.slice(0, 2), "-V", ...argv.slice(3)];
  try {
    await program.parseAsync(argv);
  } catch (err) {
    code = report(err, runtime, program);
  } finally {
    runtime.close();
  }
  await runtime.stdout.flush();
  if (runtime.stdout.failure) {
    process.stderr.write(`factline: cannot write output: ${runtime.stdout.failure.message}\n`);
    return ExitCode.usage;
  }
  return code;
}

function report(err: unknown, runtime: Runtime, program: Command): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to exitOverride; commander already printed everything.
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help")
      return ExitCode.ok;
    // Thrown by our own option checks inside an action: commander has not printed it.
    if (err.code === "commander.invalidArgument" && !err.message.startsWith("error:")) {
      process.stderr.write(`factline: ${err.message}\n`);
    }
    return ExitCode.usage;
  }
  // An interruption cancelled a call: Ctrl-C (the user knows) or the reader of stdout left (nothing
  // to tell). Reading commands already ended with 0 before this.
  if (runtime.interruption && !(err instanceof CliError))
    return runtime.interruption === "SIGINT" ? ExitCode.interrupted : ExitCode.ok;
  const error = err instanceof CliError ? err : storeErrorOrBug(err, program);
  process.stderr.write(`factline: ${error.message}\n`);
  return error.exitCode;
}

function storeErrorOrBug(err: unknown, program: Command): CliError {
  if (err instanceof Error && err.name === "ConnectError") return storeError(err, String(program.opts().store));
  // A bug of ours: say so with enough context to report it.
  const detail = process.env.FACTLINE_DEBUG
    ? `\n${(err as Error)?.stack}`
    : " (set FACTLINE_DEBUG=1 for a stack trace)";
  return new CliError(`unexpected error: ${(err as Error)?.message ?? String(err)}${detail}`, ExitCode.usage);
}

/** The process entry: bin/factline.js imports this module. */
export async function main(): Promise<void> {
  const runtime = new Runtime();
  // First Ctrl-C: stop cleanly (follow ends with exit 0, publish after the current batch).
  // Second: the user means it.
  process.on("SIGINT", () => {
    if (runtime.interruption === "SIGINT") process.exit(ExitCode.interrupted);
    runtime.interrupt("SIGINT");
  });
  const code = await run(process.argv, runtime);
  // The HTTP/2 session and stdin may keep the event loop alive; the work is done and flushed.
  process.exit(code);
}
