// The FactSpec options shared by catchup and follow (and later by anything that selects facts), and
// their translation into FactSpecs (written as the Java client does by factcast/spec.ts).
import { InvalidArgumentError, Option, type Command } from "commander";
import { factSpec, type FactSpecJson } from "../factcast/spec";
import { isUuid } from "../factcast/uuid";

/** What commander collects from the FactSpec options. */
export interface FactSpecOptions {
  ns?: string[];
  type?: string[];
  aggId?: string[];
  meta?: Array<[string, string]>;
  has?: string[];
  lacks?: string[];
}

function collect<T>(parse: (raw: string) => T) {
  return (raw: string, previous: T[] = []) => [...previous, parse(raw)];
}

function nonBlank(what: string) {
  return (raw: string) => {
    if (raw.trim() === "") throw new InvalidArgumentError(`${what} must not be blank.`);
    return raw;
  };
}

export function parseUuid(raw: string): string {
  if (!isUuid(raw)) throw new InvalidArgumentError("expected a UUID like 3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10.");
  return raw.toLowerCase();
}

/** `key=value`; the value may itself contain '='. */
export function parseKeyValue(raw: string): [string, string] {
  const eq = raw.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected key=value, e.g. tenant=acme.");
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

export function addFactSpecOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--ns <namespace>", "namespace (repeatable; default: every namespace)").argParser(
        collect(nonBlank("a namespace")),
      ),
    )
    .addOption(
      new Option("--type <type>", "fact type (repeatable; default: every type)").argParser(collect(nonBlank("a type"))),
    )
    .addOption(
      new Option("--agg-id <uuid>", "aggregate id the fact must carry (repeatable: all of them)").argParser(
        collect(parseUuid),
      ),
    )
    .addOption(
      new Option("--meta <key=value>", "meta value the fact must have (repeatable: all of them)").argParser(
        collect(parseKeyValue),
      ),
    )
    .addOption(
      new Option("--has <key>", "meta key the fact must have (repeatable)").argParser(collect(nonBlank("a meta key"))),
    )
    .addOption(
      new Option("--lacks <key>", "meta key the fact must not have (repeatable)").argParser(
        collect(nonBlank("a meta key")),
      ),
    );
}

/**
 * One FactSpec per (namespace, type) pair; a FactCast server delivers a fact matching any of them.
 * Filters on aggregate ids and meta apply to every pair. No --ns means "*", which FactCast's query
 * builder (and factline) read as "every namespace".
 */
export function toFactSpecs(options: FactSpecOptions): FactSpecJson[] {
  const { ns = [], type = [], aggId = [], has = [], lacks = [] } = options;
  const namespaces = ns.length > 0 ? unique(ns) : ["*"];
  const types: Array<string | null> = type.length > 0 ? unique(type) : [null];
  const meta = Object.fromEntries(options.meta ?? []);
  const metaKeyExists: Record<string, boolean> = {};
  for (const key of has) metaKeyExists[key] = true;
  for (const key of lacks) {
    if (metaKeyExists[key]) throw new InvalidArgumentError(`--has ${key} and --lacks ${key} cannot both hold.`);
    metaKeyExists[key] = false;
  }
  return namespaces.flatMap((ns) =>
    types.map((type) => factSpec({ ns, type, aggIds: unique(aggId), meta, metaKeyExists })),
  );
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

// -------------------------------------------------------------------------------------------------
// Positions: where a catchup or follow starts.

/** A starting point as the user wrote it; store-backed resolution lives in cli/position.ts. */
export type Position =
  | { kind: "serial"; serial: bigint }
  | { kind: "date"; year: number; month: number; day: number; text: string }
  | { kind: "id"; id: string };

/** Parses `<serial|date YYYY-MM-DD|fact-id>`; throws InvalidArgumentError (→ usage, exit 1). */
export function parsePosition(raw: string): Position {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { kind: "serial", serial: BigInt(text) };
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number);
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
      throw new InvalidArgumentError(`${text} is not a calendar date.`);
    }
    return { kind: "date", year, month, day, text };
  }
  if (isUuid(text)) return { kind: "id", id: text.toLowerCase() };
  throw new InvalidArgumentError("expected a serial (1200), a date (2024-05-31) or a fact id (UUID).");
}

/** `--after` excludes its position, which only a serial or fact id pins down exactly. */
export function parseAfterPosition(raw: string): Position {
  const position = parsePosition(raw);
  if (position.kind === "date")
    throw new InvalidArgumentError("--after takes a serial or a fact id; for a date use --from.");
  return position;
}

export interface StartOptions {
  from?: Position;
  after?: Position;
}

export function addStartOptions(command: Command, fromDefault: string): Command {
  return command
    .addOption(
      new Option(
        "--from <position>",
        `start at this serial, date (YYYY-MM-DD, UTC) or fact id, inclusive (default: ${fromDefault})`,
      )
        .argParser(parsePosition)
        .conflicts("after"),
    )
    .addOption(
      new Option("--after <position>", "start after this serial or fact id, e.g. the last one you processed").argParser(
        parseAfterPosition,
      ),
    );
}
