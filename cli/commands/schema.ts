// `factline schema …`: factline's schema registry from a terminal. FactCast keeps its registry in a
// separate command-line tool that builds a static site; here every operation goes to the store,
// which checks, records and then enforces it on publish.
import { Command } from "commander";
import type { Runtime } from "../runtime";
import { schemaCompareCommand, schemaGetCommand, schemaListCommand } from "./schema-browse";
import { schemaDeleteCommand } from "./schema-delete";
import { schemaExportCommand, schemaImportCommand } from "./schema-layout";
import { schemaRegisterCommand } from "./schema-register";
import { schemaTransformCommand } from "./schema-transform";
import { schemaValidateCommand } from "./schema-validate";

const SUBCOMMANDS = [
  schemaRegisterCommand,
  schemaListCommand,
  schemaGetCommand,
  schemaValidateCommand,
  schemaCompareCommand,
  schemaDeleteCommand,
  schemaImportCommand,
  schemaExportCommand,
  schemaTransformCommand,
];

const EXAMPLES = `
Needs a factline store: against a plain FactCast server (or FACTLINE_ADMIN_SERVICES=off) every
schema command exits 2 saying the store has no schema registry. Once a version is registered the
store validates every published fact of that namespace, type and version against it.

Examples:
  $ factline schema register shop OrderPlaced 3 order-placed-v3.json
  $ factline schema list --ns shop
  $ factline schema get shop OrderPlaced 3 > order-placed-v4.json
  $ factline schema validate shop OrderPlaced 3 payloads.ndjson
  $ factline schema compare shop OrderPlaced 2 3
  $ factline schema import ./registry && factline schema export ./backup
  $ factline schema transform register users UserCreated 1 2 1-2.js`;

export function schemaCommand(runtime: Runtime): Command {
  const schema = new Command("schema")
    .summary("register, list, validate, compare, import and export JSON Schemas and transformations")
    .description(
      "Manage the store's schema registry: JSON Schemas per namespace, type and version, and the transformations between versions.",
    )
    .addHelpText("after", EXAMPLES);
  for (const create of SUBCOMMANDS)
    schema.addCommand(create(runtime).showHelpAfterError("(add --help for usage and examples)"));
  return schema;
}
