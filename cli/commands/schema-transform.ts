// `factline schema transform …`: transformations (FactCast's up- and downcasts) in the store's
// registry, beside the schemas: register and check (schema-transform-register.ts), list, get, delete.
import { Command, Option } from "commander";
import { formatTable } from "../output";
import type { Runtime } from "../runtime";
import { inRegistry } from "../schema/registry";
import {
  checkTransformKey,
  describeTransformKey,
  replacementView,
  transformationView,
  wireTransformKey,
  withTransformKeyArguments,
} from "../schema/transforms";
import { schemaTransformCheckCommand, schemaTransformRegisterCommand } from "./schema-transform-register";

const EXAMPLES = `
A transformation turns a fact's payload from one version of its type into another, so consumers
asking for a version (FactSpec version, fetchByIdAndVersion) get it whatever was published. The
store finds the shortest chain of them; downcasts need no code between adjacent schema versions.

Examples:
  $ factline schema transform register users UserCreated 1 2 1-2.js
  $ factline schema transform list --ns users
  $ factline schema transform get users UserCreated 1 2 > 1-2.js
  $ factline schema transform check users UserCreated 1 2 1-2.js
  $ factline schema transform delete users UserCreated 1 2`;

export function schemaTransformCommand(runtime: Runtime): Command {
  const transform = new Command("transform")
    .summary("register, list, check and delete transformations between versions")
    .description("Manage the store's transformations: JavaScript that turns a payload of one version into another.")
    .addHelpText("after", EXAMPLES);
  for (const create of [
    schemaTransformRegisterCommand,
    schemaTransformListCommand,
    schemaTransformGetCommand,
    schemaTransformCheckCommand,
    schemaTransformDeleteCommand,
  ]) {
    transform.addCommand(create(runtime).showHelpAfterError("(add --help for usage and examples)"));
  }
  return transform;
}

const LIST_EXAMPLES = `
Lists registered transformations and the downcasts the store assumes between adjacent schema
versions (CODE "synthetic"), then the upcasts consumers lack: adjacent versions with no chain up.

Examples:
  $ factline schema transform list
  $ factline schema transform list --ns users --type UserCreated
  $ factline schema transform list --json | jq '.missing'`;

function schemaTransformListCommand(runtime: Runtime): Command {
  return new Command("list")
    .summary("list transformations, and the upcasts missing")
    .description("List transformations (optionally of one namespace or type) and the upcasts that are missing.")
    .addOption(new Option("--ns <namespace>", "only this namespace"))
    .addOption(new Option("--type <type>", "only this fact type"))
    .addHelpText("after", LIST_EXAMPLES)
    .action(async (options: { ns?: string; type?: string }, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.transformations.listTransformations(
          { ns: options.ns ?? "", type: options.type ?? "" },
          { signal: runtime.signal },
        ),
      );
      const transformations = res.transformations.map((t) => transformationView(t, false));
      const missing = res.missing.map((m) => ({
        ns: m.key!.ns,
        type: m.key!.type,
        from: m.key!.fromVersion,
        to: m.key!.toVersion,
        reason: m.reason,
      }));
      if (runtime.globals(cmd).json) {
        await runtime.stdout.line(JSON.stringify({ transformations, missing }));
        return;
      }
      if (transformations.length === 0) {
        await runtime.stdout.line("no transformations" + (options.ns || options.type ? " for this filter" : ""));
      } else {
        const rows = transformations.map((t) => [
          t.ns,
          t.type,
          String(t.from),
          String(t.to),
          t.kind,
          t.synthetic ? "synthetic" : t.hash === "" ? "none" : "yes",
          t.synthetic ? "" : String(t.revision),
          t.registeredBy,
          t.description,
        ]);
        const table = formatTable(
          ["NAMESPACE", "TYPE", "FROM", "TO", "KIND", "CODE", "REVISION", "BY", "DESCRIPTION"],
          rows,
          new Set([2, 3, 6]),
        );
        for (const line of table) await runtime.stdout.line(line);
      }
      if (missing.length > 0) {
        await runtime.stdout.line("");
        await runtime.stdout.line("missing upcasts:");
        for (const m of missing) await runtime.stdout.line(`  ${m.ns}/${m.type} ${m.from} → ${m.to}: ${m.reason}`);
      }
    });
}

const GET_EXAMPLES = `
Prints the code exactly as registered, so it can be saved, edited and registered again (with
--force). A downcast registered without code prints nothing and says so on stderr. --json prints
the whole record with the revisions forced registrations replaced. Exits 2 when not registered.

Examples:
  $ factline schema transform get users UserCreated 1 2 > 1-2.js
  $ factline schema transform get users UserCreated 1 2 --json | jq .history`;

function schemaTransformGetCommand(runtime: Runtime): Command {
  return withTransformKeyArguments(new Command("get"))
    .summary("print a registered transformation's code")
    .description("Print a registered transformation's code, or with --json the whole record with its history.")
    .addHelpText("after", GET_EXAMPLES)
    .action(async (ns: string, type: string, from: number, to: number, _options: unknown, cmd: Command) => {
      const key = checkTransformKey({ ns, type, from, to });
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.transformations.getTransformation({ key: wireTransformKey(key) }, { signal: runtime.signal }),
      );
      if (runtime.globals(cmd).json) {
        await runtime.stdout.line(
          JSON.stringify({
            ...transformationView(res.transformation!, true),
            history: res.history.map(replacementView),
          }),
        );
        return;
      }
      const code = res.transformation!.code;
      if (code === "") {
        runtime.note(`${describeTransformKey(key)} has no code: the payload passes unchanged`);
        return;
      }
      await runtime.stdout.line(code.endsWith("\n") ? code.slice(0, -1) : code);
    });
}

function schemaTransformDeleteCommand(runtime: Runtime): Command {
  return withTransformKeyArguments(new Command("delete"))
    .summary("delete a registered transformation")
    .description(
      "Delete a registered transformation; consumers needing it get MissingTransformationInformationException.",
    )
    .addHelpText(
      "after",
      `
Its cached results go with it. A downcast the store assumes between adjacent schema versions
cannot be deleted (it is not registered). Exits 2 when the transformation is not registered.

Examples:
  $ factline schema transform delete users UserCreated 1 2`,
    )
    .action(async (ns: string, type: string, from: number, to: number, _options: unknown, cmd: Command) => {
      const key = checkTransformKey({ ns, type, from, to });
      const { store } = await runtime.connect(cmd);
      await inRegistry(() =>
        store.transformations.deleteTransformation({ key: wireTransformKey(key) }, { signal: runtime.signal }),
      );
      if (runtime.globals(cmd).json) await runtime.stdout.line(JSON.stringify({ deleted: key }));
      else await runtime.stdout.line(`deleted ${describeTransformKey(key)}`);
    });
}
