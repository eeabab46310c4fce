// Reading the registry: what is registered (and which types have facts but no schema), one
// version's schema, and the classified changes between two versions.
import { Command, Option } from "commander";
import { formatCount, formatTable } from "../output";
import type { Runtime } from "../runtime";
import { describeKey, checkKey, inRegistry, parseSchemaVersion, withKeyArguments } from "../schema/registry";
import { breakingSummary, renderChanges } from "../schema/render";
import { changeView, schemaRecordView, schemaView } from "../schema/views";

const LIST_EXAMPLES = `
Lists every registered version with its fact count and revision (above 1: replaced with --force),
then the types that have stored facts but no schema at all.

Examples:
  $ factline schema list
  $ factline schema list --ns shop
  $ factline schema list --ns shop --type OrderPlaced
  $ factline schema list --json | jq -r '.withoutSchema[] | "\\(.ns)/\\(.type)"'`;

export function schemaListCommand(runtime: Runtime): Command {
  return new Command("list")
    .summary("list registered schema versions and types without a schema")
    .description(
      "List registered schema versions (optionally of one namespace or type) and the types that have facts but no schema.",
    )
    .addOption(new Option("--ns <namespace>", "only this namespace"))
    .addOption(new Option("--type <type>", "only this fact type"))
    .addHelpText("after", LIST_EXAMPLES)
    .action(async (options: { ns?: string; type?: string }, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.registry.listSchemas({ ns: options.ns ?? "", type: options.type ?? "" }, { signal: runtime.signal }),
      );
      const schemas = res.schemas.map(schemaView);
      const withoutSchema = res.unschematized.map((k) => ({ ns: k.ns, type: k.type }));
      if (runtime.globals(cmd).json) {
        await runtime.stdout.line(JSON.stringify({ schemas, withoutSchema }));
        return;
      }
      if (schemas.length === 0)
        await runtime.stdout.line("no schemas registered" + (options.ns || options.type ? " for this filter" : ""));
      else {
        const rows = schemas.map((s) => [
          s.ns,
          s.type,
          String(s.version),
          formatCount(s.factCount),
          String(s.revision),
          s.registeredAt.replace("T", " ").replace(/\.\d+Z$/, ""),
          s.registeredBy,
          s.description,
        ]);
        const table = formatTable(
          ["NAMESPACE", "TYPE", "VERSION", "FACTS", "REVISION", "REGISTERED (UTC)", "BY", "DESCRIPTION"],
          rows,
          new Set([2, 3, 4]),
        );
        for (const line of table) await runtime.stdout.line(line);
      }
      if (withoutSchema.length > 0) {
        await runtime.stdout.line("");
        await runtime.stdout.line("types with facts but no schema:");
        for (const k of withoutSchema) await runtime.stdout.line(`  ${k.ns}/${k.type}`);
      }
    });
}

const GET_EXAMPLES = `
Prints the schema exactly as it was registered (byte for byte, ending with a newline), so it can
be saved, edited and registered as the next version. --json prints the whole record instead:
description, who registered it and when, revision, hash, fact count, examples and the revisions
that forced registrations replaced. Exits 2 when the version is not registered.

Examples:
  $ factline schema get shop OrderPlaced 2
  $ factline schema get shop OrderPlaced 2 > order-placed-v3.json
  $ factline schema get shop OrderPlaced 2 --json | jq .history`;

export function schemaGetCommand(runtime: Runtime): Command {
  return withKeyArguments(new Command("get"))
    .summary("print a registered schema exactly as registered")
    .description(
      "Print one registered schema version: its JSON Schema as registered, or with --json the whole record with its history.",
    )
    .addHelpText("after", GET_EXAMPLES)
    .action(async (ns: string, type: string, version: number, _options: unknown, cmd: Command) => {
      const key = checkKey({ ns, type, version });
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() => store.registry.getSchema({ key }, { signal: runtime.signal }));
      if (runtime.globals(cmd).json) {
        await runtime.stdout.line(JSON.stringify(schemaRecordView(res)));
        return;
      }
      // line() adds the newline; a schema file that already ends with one keeps exactly one.
      const text = res.schema!.schemaJson;
      await runtime.stdout.line(text.endsWith("\n") ? text.slice(0, -1) : text);
    });
}

const COMPARE_EXAMPLES = `
Each change is classified (field added optional/required, removed, made required, type widened or
narrowed, enum values added/removed, constraint tightened/loosened …) and marked breaking or not
for readers (consumers of new facts with code written for <from>) and for writers (producers
still writing <from>-shaped payloads). Exits 0 whatever it finds; --json for scripts.

Examples:
  $ factline schema compare shop OrderPlaced 1 2
  $ factline schema compare shop OrderPlaced 1 2 --json | jq .breakingForReaders`;

export function schemaCompareCommand(runtime: Runtime): Command {
  return new Command("compare")
    .summary("show the classified changes between two registered versions")
    .description(
      "Show the changes between two registered versions of a type, each classified and marked breaking or not.",
    )
    .argument("<ns>", "the namespace")
    .argument("<type>", "the fact type")
    .argument("<from>", "the earlier version", parseSchemaVersion)
    .argument("<to>", "the later version", parseSchemaVersion)
    .addHelpText("after", COMPARE_EXAMPLES)
    .action(async (ns: string, type: string, from: number, to: number, _options: unknown, cmd: Command) => {
      checkKey({ ns, type, version: from });
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.registry.compareVersions({ ns, type, fromVersion: from, toVersion: to }, { signal: runtime.signal }),
      );
      const changes = res.changes.map(changeView);
      if (runtime.globals(cmd).json) {
        const { breakingForReaders, breakingForWriters } = res;
        await runtime.stdout.line(
          JSON.stringify({ ns, type, from, to, breakingForReaders, breakingForWriters, changes }),
        );
        return;
      }
      const title = `${describeKey({ ns, type, version: from })} → ${to}`;
      if (changes.length === 0) {
        await runtime.stdout.line(`${title}: no changes`);
        return;
      }
      const count = `${changes.length} change${changes.length === 1 ? "" : "s"}`;
      await runtime.stdout.line(
        `${title}: ${count}, ${breakingSummary(res.breakingForReaders, res.breakingForWriters)}`,
      );
      for (const line of renderChanges(changes)) await runtime.stdout.line(line);
    });
}
