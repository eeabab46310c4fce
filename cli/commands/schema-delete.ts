import { Command } from "commander";
import type { Runtime } from "../runtime";
import { describeKey, checkKey, inRegistry, withKeyArguments } from "../schema/registry";

const EXAMPLES = `
Only a version that no stored fact uses can be deleted (the store refuses otherwise, exit 2):
the facts would be left without the schema they were validated with. Exits 2 when the version is
not registered.

Examples:
  $ factline schema delete shop OrderPlaced 3`;

/** `schema delete`: undoes a registration nobody has published with yet. */
export function schemaDeleteCommand(runtime: Runtime): Command {
  return withKeyArguments(new Command("delete"))
    .summary("delete a schema version that no stored fact uses")
    .description("Delete a registered schema version; refused while stored facts use it.")
    .addHelpText("after", EXAMPLES)
    .action(async (ns: string, type: string, version: number, _options: unknown, cmd: Command) => {
      const key = checkKey({ ns, type, version });
      const { store } = await runtime.connect(cmd);
      await inRegistry(() => store.registry.deleteSchema({ key }, { signal: runtime.signal }));
      if (runtime.globals(cmd).json) await runtime.stdout.line(JSON.stringify({ deleted: key }));
      else await runtime.stdout.line(`deleted ${describeKey(key)}`);
    });
}
