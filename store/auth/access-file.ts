// FACTLINE_ACCESS_FILE: FactCast's factcast-access.json, read unchanged, plus factline's own role
// properties ("schemas", "audit", "operate"), which FactCast ignores, so one file serves both servers.
// Anything malformed stops the store at start with the file, a JSON pointer and what to fix:
// a half-understood access file must never quietly grant or deny.
import { mergeRules, NO_RULES, type EffectiveAccess, type PatternRules } from "./rules";

export interface AccessRole {
  id: string;
  read: PatternRules;
  write: PatternRules;
  schemas: PatternRules;
  audit: boolean;
  operate: boolean;
}

export interface AccessConfig {
  /** Account id → what it may do, its roles already merged. */
  readonly accounts: ReadonlyMap<string, EffectiveAccess>;
  readonly roles: ReadonlyMap<string, AccessRole>;
  /** Problems that do not stop the store (unknown properties, odd patterns), to be logged. */
  readonly warnings: readonly string[];
}

export class AccessFileError extends Error {
  override name = "AccessFileError";
}

const ROLE_KEYS = new Set(["id", "read", "write", "schemas", "audit", "operate"]);
const ACCOUNT_KEYS = new Set(["id", "roles"]);
const RULE_KEYS = new Set(["include", "exclude"]);

/** Parses an access file's text; `file` only names it in messages. */
export function parseAccessFile(text: string, file: string): AccessConfig {
  const fail = (pointer: string, problem: string): never => {
    throw new AccessFileError(`${file}: ${pointer === "" ? "the document" : pointer}: ${problem}`);
  };
  const warnings: string[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AccessFileError(`${file}: not valid JSON (${syntaxLocation(text, err as Error)})`);
  }
  if (!isObject(raw)) fail("", 'must be a JSON object with "accounts" and "roles" arrays');
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (key !== "accounts" && key !== "roles") warnings.push(`${file}: /${escape(key)}: unknown property, ignored`);
  }

  const roles = new Map<string, AccessRole>();
  arrayAt(doc.roles, "/roles", fail).forEach((item, i) => {
    const at = `/roles/${i}`;
    if (!isObject(item)) return fail(at, 'must be an object like {"id": "reader", "read": {"include": ["*"]}}');
    unknownKeys(item, ROLE_KEYS, at, file, warnings);
    const id = idAt(item.id, `${at}/id`, "role", fail);
    if (roles.has(id)) fail(`${at}/id`, `role "${id}" is defined twice; give each role its own id`);
    for (const flag of ["audit", "operate"] as const) {
      if (item[flag] !== undefined && typeof item[flag] !== "boolean") fail(`${at}/${flag}`, "must be true or false");
    }
    roles.set(id, {
      id,
      read: rulesAt(item.read, `${at}/read`, file, fail, warnings),
      write: rulesAt(item.write, `${at}/write`, file, fail, warnings),
      schemas: rulesAt(item.schemas, `${at}/schemas`, file, fail, warnings),
      audit: item.audit === true,
      operate: item.operate === true,
    });
  });

  const accounts = new Map<string, EffectiveAccess>();
  arrayAt(doc.accounts, "/accounts", fail).forEach((item, i) => {
    const at = `/accounts/${i}`;
    if (!isObject(item)) return fail(at, 'must be an object like {"id": "alice", "roles": ["reader"]}');
    unknownKeys(item, ACCOUNT_KEYS, at, file, warnings);
    const id = idAt(item.id, `${at}/id`, "account", fail);
    if (accounts.has(id)) fail(`${at}/id`, `account "${id}" is defined twice; merge its roles into one entry`);
    const names = item.roles === undefined ? [] : arrayAt(item.roles, `${at}/roles`, fail);
    const own = names.map((name, j) => {
      if (typeof name !== "string") return fail(`${at}/roles/${j}`, "must be a role id (a string)");
      const role = roles.get(name);
      if (!role) {
        const known = [...roles.keys()].map((r) => `"${r}"`).join(", ") || "none";
        return fail(`${at}/roles/${j}`, `unknown role "${name}"; define it under /roles (defined: ${known})`);
      }
      return role;
    });
    accounts.set(id, accessOf(own));
  });
  return { accounts, roles, warnings };
}

/** An account's effective access from the roles it holds (from the file or from a token's claim). */
export function accessOf(roles: readonly AccessRole[]): EffectiveAccess {
  return {
    roles: roles.map((r) => r.id),
    read: mergeRules(roles.map((r) => r.read)),
    write: mergeRules(roles.map((r) => r.write)),
    schemas: mergeRules(roles.map((r) => r.schemas)),
    audit: roles.some((r) => r.audit),
    operate: roles.some((r) => r.operate),
  };
}

type Fail = (pointer: string, problem: string) => never;

function rulesAt(raw: unknown, at: string, file: string, fail: Fail, warnings: string[]): PatternRules {
  if (raw === undefined || raw === null) return NO_RULES;
  if (!isObject(raw)) return fail(at, 'must be an object like {"include": ["shop", "billing*"], "exclude": []}');
  unknownKeys(raw, RULE_KEYS, at, file, warnings);
  const list = (key: "include" | "exclude"): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    return arrayAt(value, `${at}/${key}`, fail).map((pattern, i) => {
      const where = `${at}/${key}/${i}`;
      if (typeof pattern !== "string" || pattern.trim() === "") {
        return fail(where, 'must be a non-blank namespace pattern: a name, "*", or a prefix ending in "*"');
      }
      if (pattern.slice(0, -1).includes("*")) {
        warnings.push(
          `${file}: ${where}: "${pattern}" only matches that exact name; "*" is a wildcard only at the end`,
        );
      }
      return pattern;
    });
  };
  return { include: list("include"), exclude: list("exclude") };
}

function arrayAt(raw: unknown, at: string, fail: Fail): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return fail(at, "must be an array");
  return raw;
}

function idAt(raw: unknown, at: string, what: string, fail: Fail): string {
  if (typeof raw !== "string" || raw.trim() === "") return fail(at, `every ${what} needs an "id": a non-blank string`);
  return raw;
}

function unknownKeys(obj: Record<string, unknown>, known: Set<string>, at: string, file: string, warnings: string[]) {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      warnings.push(`${file}: ${at}/${escape(key)}: unknown property, ignored (known: ${[...known].join(", ")})`);
    }
  }
}

function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

function escape(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** JSON.parse's "at position N" as a line and column a person can find. */
function syntaxLocation(text: string, err: Error): string {
  const position = /position (\d+)/.exec(err.message);
  if (!position) return err.message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${err.message.replace(/ in JSON at position \d+.*$/, "")} at line ${line}, column ${column}`;
}
