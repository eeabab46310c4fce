import { Command } from "commander";
import type { Runtime } from "../runtime";

/** FactCast's enumerateVersions (protocol 1.8). */
export function versionsCommand(runtime: Runtime): Command {
  return new Command("versions")
    .summary("list the versions of a fact type")
    .description("List the versions a fact type was published in, one per line (a JSON array with --json).")
    .argument("<ns>", "the namespace")
    .argument("<type>", "the fact type")
    .addHelpText("after", `\nExamples:\n  $ factline versions shop OrderPlaced`)
    .action(async (ns: string, type: string, _options: unknown, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const res = await store.facts.enumerateVersions({ ns, type }, { signal: runtime.signal });
      await runtime.printList(
        cmd,
        [...res.embeddedInteger].sort((a, b) => a - b),
      );
    });
}
