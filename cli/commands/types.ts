import { Command } from "commander";
import type { Runtime } from "../runtime";

/** FactCast's enumerateTypes. */
export function typesCommand(runtime: Runtime): Command {
  return new Command("types")
    .summary("list the fact types of a namespace")
    .description("List the fact types published in a namespace, one per line (a JSON array with --json).")
    .argument("<ns>", "the namespace")
    .addHelpText("after", `\nExamples:\n  $ factline types shop\n  $ factline types shop --json | jq length`)
    .action(async (ns: string, _options: unknown, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const res = await store.facts.enumerateTypes({ embeddedString: ns }, { signal: runtime.signal });
      await runtime.printList(cmd, [...res.embeddedString].sort());
    });
}
