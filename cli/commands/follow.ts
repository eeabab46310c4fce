import { Command } from "commander";
import { streamFacts } from "../fact-stream";
import { startOf } from "../position";
import type { Runtime } from "../runtime";
import {
  addFactSpecOptions,
  addStartOptions,
  toFactSpecs,
  type FactSpecOptions,
  type StartOptions,
} from "../spec-options";

const EXAMPLES = `
Without --from/--after it shows only facts published from now on (like tail -f); with them it first
prints the history from there, then keeps following. Ctrl-C ends it (exit 0).

Examples:
  $ factline follow
  $ factline follow --ns shop --type OrderPlaced | jq .payload
  $ factline follow --ns billing --from 0          # whole history, then live
  $ factline follow --after 41234 >> facts.ndjson  # resume after the last serial you have`;

/** Stays subscribed and prints facts as they are published: FactCast's follow subscription. */
export function followCommand(runtime: Runtime): Command {
  const command = new Command("follow")
    .summary("print matching facts as they are published, until Ctrl-C")
    .description("Print the facts matching the filters as NDJSON as they are published, until interrupted.");
  addFactSpecOptions(command);
  addStartOptions(command, "now");
  return command
    .addHelpText("after", EXAMPLES)
    .action(async (options: FactSpecOptions & StartOptions, cmd: Command) => {
      const specs = toFactSpecs(options);
      await runtime.untilInterrupted(async () => {
        const { store } = await runtime.connect(cmd);
        const start = await startOf(store, options, { ephemeral: true }, runtime.signal);
        await streamFacts(runtime, store, { specs, continuous: true, start });
      });
    });
}
