/**
 * File-level helpers for FactCast's registry layout: paths, JSON parsing with a message a user can
 * act on, MD5 as index.json carries it, and example files.
 */
import { createHash } from "node:crypto";

export interface LayoutProblem {
  /** The file concerned, relative to the registry root ("index.json" for the index itself). */
  path: string;
  /** What is wrong and what to fix. */
  message: string;
  /** "error": something was not imported. "warning": imported anyway, or nothing was lost. */
  severity: "error" | "warning";
}

/** MD5 hex of a file's UTF-8 bytes: the `hash` of FactCast's index.json. */
export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/**
 * How factline writes JSON files: 2-space indent and a trailing newline, key order as written,
 * so a diff of two exports shows real changes only.
 */
export function formatJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * A path relative to the registry root. index.json ids may start with "./" or "/", and archives
 * made on Windows use backslashes.
 */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.?\/)+/, "");
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isPositiveVersion(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** A version directory name: digits only, and at least 1 ("v1", "0" and "1.0" are not versions). */
export function versionFromSegment(segment: string): number | undefined {
  if (!/^\d+$/.test(segment)) return undefined;
  const version = Number(segment);
  return isPositiveVersion(version) ? version : undefined;
}

/** Whether a namespace or type can be one directory of the layout. */
export function isPathSegment(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\]/.test(name);
}

/**
 * The example payloads beside a schema: `<dir>/examples/*.json`, in natural name order
 * (2.json before 10.json). Invalid JSON is left out with a warning, because a registry keeps
 * examples as JSON texts and a broken one would only fail later, further from its file.
 */
export function readExamples(
  files: ReadonlyMap<string, string>,
  dir: string,
  problems: LayoutProblem[],
): string[] | undefined {
  const prefix = `${dir}/examples/`;
  const paths = [...files.keys()]
    .filter((path) => path.startsWith(prefix) && path.endsWith(".json") && !path.slice(prefix.length).includes("/"))
    .sort(naturalCompare);
  const examples: string[] = [];
  for (const path of paths) {
    const text = files.get(path)!;
    const parsed = parseJson(text);
    if (parsed.ok) examples.push(text);
    else {
      const message = `example is not valid JSON (${parsed.error}); it was left out — fix the file to import it`;
      problems.push({ path, severity: "warning", message });
    }
  }
  return examples.length > 0 ? examples : undefined;
}

/** Code-unit order, except that runs of digits compare as numbers. */
export function naturalCompare(x: string, y: string): number {
  const xs = x.split(/(\d+)/);
  const ys = y.split(/(\d+)/);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    if (xs[i] === ys[i]) continue;
    // split() with a capture group puts digit runs at odd indexes.
    if (i % 2 === 1) return Number(xs[i]) - Number(ys[i]) || (xs[i] < ys[i] ? -1 : 1);
    return xs[i] < ys[i] ? -1 : 1;
  }
  return xs.length - ys.length;
}
