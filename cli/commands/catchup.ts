import { Command } from "commander";
import { streamFacts } from "../fact-stream";
import { FROM_START, startOf } from "../position";
import type { Runtime } from "../runtime";
import {
  addFactSpecOptions,
  addStartOptions,
  toFactSpecs,
  type FactSpecOptions,
  type StartOptions,
} from "../spec-options";

const EXAMPLES = `
Every fact is one line {"header":{…},"payload":{…}}, header and payload exactly as stored.

Examples:
  $ factline catchup > all.ndjson
  $ factline catchup --ns shop --type OrderPlaced --type OrderPaid
  $ factline catchup --ns shop --agg-id 3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10
  $ factline catchup --ns users --meta tenant=acme --lacks deleted
  $ factline catchup --from 2024-05-01 | jq -r .header.type | sort | uniq -c
  $ factline catchup --after "$(tail -n1 all.ndjson | jq -r .header.id)" >> all.ndjson`;

/** Reads history to the end of the log and exits: FactCast's catch-up subscription. */
export function catchupCommand(runtime: Runtime): Command {
  const command = new Command("catchup")
    .summary("print matching facts from the log, then exit")
    .description("Print the facts matching the filters, oldest first, as NDJSON; end when the log's end is reached.");
  addFactSpecOptions(command);
  addStartOptions(command, "the beginning");
  return command
    .addHelpText("after", EXAMPLES)
    .action(async (options: FactSpecOptions & StartOptions, cmd: Command) => {
      const specs = toFactSpecs(options);
      await runtime.untilInterrupted(async () => {
        const { store } = await runtime.connect(cmd);
        const start = await startOf(store, options, FROM_START, runtime.signal);
        await streamFacts(runtime, store, { specs, continuous: false, start });
      });
    });
}
