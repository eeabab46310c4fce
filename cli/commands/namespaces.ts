import { Command } from "commander";
import type { Runtime } from "../runtime";

/** FactCast's enumerateNamespaces: one name per line, for shell loops. */
export function namespacesCommand(runtime: Runtime): Command {
  return new Command("namespaces")
    .summary("list the namespaces that have facts")
    .description("List the namespaces that have facts, one per line (a JSON array with --json).")
    .addHelpText(
      "after",
      `\nExamples:\n  $ factline namespaces\n  $ for ns in $(factline namespaces); do factline types "$ns"; done`,
    )
    .action(async (_options: unknown, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const res = await store.facts.enumerateNamespaces({}, { signal: runtime.signal });
      await runtime.printList(cmd, [...res.embeddedString].sort());
    });
}
