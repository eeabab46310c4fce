// What every `factline schema …` command shares: the schema key from the command line, JSON files
// (or stdin) read whole, and the registry's refusals worded for a terminal.
import { readFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { Code, ConnectError } from "@connectrpc/connect";
import { Command, InvalidArgumentError } from "commander";
import { rejectedError, usageError } from "../errors";

/** The one line every schema command prints against a store without the registry (exit 2). */
export const NO_REGISTRY =
  "this store has no schema registry (factline admin services are off or it is a plain FactCast server)";

export interface SchemaKeyArgs {
  ns: string;
  type: string;
  version: number;
}

/** Registry versions start at 1 (FactCast's 0 means "any version" and cannot carry a schema). */
export function parseSchemaVersion(raw: string): number {
  const version = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(version) || version < 1 || version > 2 ** 31 - 1) {
    throw new InvalidArgumentError("expected a version: a whole number from 1.");
  }
  return version;
}

/** Adds `<ns> <type> <version>` to a command. */
export function withKeyArguments(command: Command): Command {
  return command
    .argument("<ns>", "the namespace")
    .argument("<type>", "the fact type")
    .argument("<version>", "the schema version (1, 2, …)", parseSchemaVersion);
}

export function describeKey(key: SchemaKeyArgs): string {
  return `${key.ns}/${key.type} version ${key.version}`;
}

/** Blank names would only come back from the store as INVALID_ARGUMENT after a round trip. */
export function checkKey(key: SchemaKeyArgs): SchemaKeyArgs {
  if (key.ns.trim() === "") throw usageError("<ns> must not be blank");
  if (key.type.trim() === "") throw usageError("<type> must not be blank");
  return key;
}

/**
 * Runs registry calls, turning the registry's own refusals into exit 2 with the store's message
 * as it is: it already names what to fix, and the generic "the store rejected the request: CODE"
 * prefix would only bury it. Anything else (network, cancellation) passes through to main.ts.
 */
export async function inRegistry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw registryError(err);
  }
}

export function registryError(err: unknown): unknown {
  if (!(err instanceof ConnectError)) return err;
  switch (err.code) {
    case Code.Unimplemented:
      return rejectedError(NO_REGISTRY);
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.NotFound:
      return rejectedError(err.rawMessage.trim().replace(/\s*\n\s*/g, "; "));
    default:
      return err;
  }
}

/**
 * Who registers, as the registry records it: the login and machine, which is what an admin
 * reading a version's history needs to ask "why?". (Without it the store would record "unknown".)
 */
export function registeredBy(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers may run under a uid without a passwd entry.
    user = process.env.USER ?? process.env.LOGNAME ?? "someone";
  }
  return `${user}@${hostname()} (factline CLI)`;
}

export interface TextInput {
  /** For messages: the file name, or "stdin". */
  name: string;
  text: string;
}

/** A whole file, or stdin for "-": schemas and payload files are small enough to hold. */
export async function readTextInput(path: string): Promise<TextInput> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return { name: "stdin", text: stripBom(Buffer.concat(chunks).toString("utf8")) };
  }
  try {
    return { name: path, text: stripBom(await readFile(path, "utf8")) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw usageError(`cannot read ${path}: no such file`);
    if (code === "EACCES") throw usageError(`cannot read ${path}: permission denied`);
    if (code === "EISDIR") throw usageError(`cannot read ${path}: it is a directory`);
    throw err;
  }
}

/** Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses. */
function stripBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** Checks that a file holds JSON, so a typo is a usage error (exit 1) before the store is asked. */
export function requireJson(input: TextInput, what: string): void {
  try {
    JSON.parse(input.text);
  } catch (err) {
    throw usageError(`${what} ${input.name} is not valid JSON (${(err as Error).message})`);
  }
}
