import { Command, InvalidArgumentError } from "commander";
import { rejectedError } from "../errors";
import { factLine } from "../fact-stream";
import { prettyJson } from "../json-text";
import type { Runtime } from "../runtime";
import { isUuid, toMsgUuid } from "../../factcast/uuid";

const EXAMPLES = `
Prints {"header":…,"payload":…}: indented for reading, or with --json on one line exactly as stored.
Exits 2 when there is no such fact.

Examples:
  $ factline get 1042
  $ factline get 3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10
  $ factline get 1042 --json | jq .payload`;

function parseRef(raw: string): { serial: bigint } | { id: string } {
  if (/^\d+$/.test(raw) && BigInt(raw) > 0n) return { serial: BigInt(raw) };
  if (isUuid(raw)) return { id: raw.toLowerCase() };
  throw new InvalidArgumentError("expected a serial (a positive number) or a fact id (UUID).");
}

/** One fact by serial or id. */
export function getCommand(runtime: Runtime): Command {
  return new Command("get")
    .summary("print one fact by serial or fact id")
    .description("Print one fact, found by its serial or its fact id.")
    .argument("<serial|fact-id>", "the fact's serial (meta._ser) or id (header.id)", parseRef)
    .addHelpText("after", EXAMPLES)
    .action(async (ref: ReturnType<typeof parseRef>, _options: unknown, cmd: Command) => {
      const { store } = await runtime.connect(cmd);
      const { json } = runtime.globals(cmd);
      const signal = runtime.signal;
      const res =
        "serial" in ref
          ? await store.facts.fetchBySerial({ serial: ref.serial }, { signal })
          : await store.facts.fetchById(toMsgUuid(ref.id), { signal });
      if (!res.present || !res.fact) {
        throw rejectedError(`the store has no fact with ${"serial" in ref ? `serial ${ref.serial}` : `id ${ref.id}`}`);
      }
      const line = factLine(res.fact);
      await runtime.stdout.line(json ? line : prettyJson(line));
    });
}
