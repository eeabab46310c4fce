// `schema validate`: payloads checked by the store against a registered version, as the store
// would check them on publish, with every error located by line and JSON pointer.
import { Command } from "commander";
import { mapLimit } from "../concurrency";
import { rejectedError, usageError } from "../errors";
import { formatCount } from "../output";
import type { Runtime } from "../runtime";
import {
  describeKey,
  checkKey,
  inRegistry,
  readTextInput,
  withKeyArguments,
  type SchemaKeyArgs,
  type TextInput,
} from "../schema/registry";
import { renderPayloadError } from "../schema/render";
import { payloadErrorView, type PayloadErrorView } from "../schema/views";

/** One call per payload on one HTTP/2 connection: parallel enough to hide round trips, well under stream limits. */
const VALIDATE_CONCURRENCY = 16;
/** Lines that are not JSON listed in full; beyond this only counted, so a wrong file does not flood the terminal. */
const MAX_REPORTED_LINES = 20;

const EXAMPLES = `
The input is one JSON payload (it may span lines), or NDJSON: one payload per line. Each is
validated by the store against the registered version, exactly as a publish would be. Errors are
printed with their line number and the JSON pointer of the offending place. Exits 0 when every
payload is valid, 2 when any is not (or the version is not registered), 1 when a line is not JSON.

Examples:
  $ factline schema validate shop OrderPlaced 2 order.json
  $ factline catchup --ns shop --type OrderPlaced | jq -c .payload | factline schema validate shop OrderPlaced 3 -
  $ factline schema validate shop OrderPlaced 2 payloads.ndjson --json | jq 'select(.valid | not)'`;

interface Payload {
  /** 1-based line where the payload starts. */
  line: number;
  text: string;
}

export function schemaValidateCommand(runtime: Runtime): Command {
  return withKeyArguments(new Command("validate"))
    .summary("validate payloads against a registered schema version")
    .description("Validate one JSON payload, or NDJSON payloads one per line, against a registered schema version.")
    .argument("[payload-file]", "a JSON or NDJSON file, or - for stdin", "-")
    .addHelpText("after", EXAMPLES)
    .action(async (ns: string, type: string, version: number, file: string, _options: unknown, cmd: Command) => {
      const key = checkKey({ ns, type, version });
      const { json } = runtime.globals(cmd);
      const { store } = await runtime.connect(cmd);
      if (file === "-" && process.stdin.isTTY)
        runtime.note("reading payloads from the terminal, one per line; end with Ctrl-D");
      const input = await readTextInput(file);
      const { payloads, notJson } = splitPayloads(input);
      if (notJson.length > 0) {
        // As publish does: every bad line named, and nothing sent, so one run shows all to fix.
        for (const bad of notJson.slice(0, MAX_REPORTED_LINES))
          runtime.note(`${input.name} line ${bad.line}: ${bad.error}`);
        if (notJson.length > MAX_REPORTED_LINES)
          runtime.note(`… and ${formatCount(notJson.length - MAX_REPORTED_LINES)} more`);
        throw usageError(
          `nothing was validated: ${formatCount(notJson.length)} line${notJson.length === 1 ? " is" : "s are"} not JSON`,
        );
      }
      const results = await mapLimit(payloads, VALIDATE_CONCURRENCY, async (p) => {
        const res = await inRegistry(() =>
          store.registry.validatePayload({ key, payloadJson: p.text }, { signal: runtime.signal }),
        );
        return { line: p.line, valid: res.valid, errors: res.errors.map(payloadErrorView) };
      });
      for (const r of results) {
        if (json) await runtime.stdout.line(JSON.stringify(r));
        else
          for (const e of r.errors)
            await runtime.stdout.line(`${where(input, payloads, r.line)}: ${renderPayloadError(e)}`);
      }
      report(key, results);
    });
}

function where(input: TextInput, payloads: Payload[], line: number): string {
  return payloads.length === 1 && line === 1 ? input.name : `${input.name} line ${line}`;
}

function report(key: SchemaKeyArgs, results: Array<{ valid: boolean; errors: PayloadErrorView[] }>): void {
  const invalid = results.filter((r) => !r.valid).length;
  if (results.length === 0) throw usageError("the input has no payloads");
  if (invalid > 0) {
    throw rejectedError(
      `${formatCount(invalid)} of ${formatCount(results.length)} payloads do not validate against ${describeKey(key)}`,
    );
  }
  if (process.stderr.isTTY)
    process.stderr.write(
      `factline: ${results.length === 1 ? "the payload is" : `all ${formatCount(results.length)} payloads are`} valid\n`,
    );
}

/**
 * One JSON document (pretty-printed payloads span lines), else NDJSON: one payload per line, and
 * the lines that are not JSON.
 */
export function splitPayloads(input: TextInput): {
  payloads: Payload[];
  notJson: Array<{ line: number; error: string }>;
} {
  const whole = input.text.trim();
  if (whole === "") return { payloads: [], notJson: [] };
  try {
    JSON.parse(whole);
    const line = input.text.slice(0, input.text.indexOf(whole[0])).split("\n").length;
    return { payloads: [{ line, text: whole }], notJson: [] };
  } catch {
    // not one document: NDJSON
  }
  const payloads: Payload[] = [];
  const notJson: Array<{ line: number; error: string }> = [];
  input.text.split("\n").forEach((raw, i) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.trim() === "") return;
    try {
      JSON.parse(text);
      payloads.push({ line: i + 1, text });
    } catch (err) {
      notJson.push({ line: i + 1, error: `not valid JSON (${(err as Error).message})` });
    }
  });
  return { payloads, notJson };
}
