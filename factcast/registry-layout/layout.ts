/**
 * FactCast's schema registry layout, in and out, so existing FactCast registries move into factline
 * and back. Pure: files in, files out; the registry decides what to store.
 *
 * Read, in order of preference:
 * - the deployed layout FactCast's server reads: index.json (`schemes` name each schema file by an
 *   id relative to the root) and `<ns>/<type>/<version>/schema.json`;
 * - without index.json, the same files discovered by their paths;
 * - the source layout of FactCast's registry CLI, `<ns>/<Type>/versions/<n>/schema.json` with
 *   `examples/*.json` beside it (also discovered by path).
 * A problem is an "error" when the schema it concerns was not imported and a "warning" otherwise.
 * A hash that does not match its file is a warning: the file is the schema, FactCast only uses the
 * hash to notice changes, and its CLI can hash a filtered rendering (--schema-remove-fields), so
 * refusing the schema would help nobody. Transformations (index.json `transformations`,
 * `<ns>/<type>/<from>-<to>/transform.js`, FactCast's synthetic downcasts) are read by
 * ./transformations.ts.
 *
 * Write: index.json plus pretty-printed schema files, hashes of the files exactly as written, and
 * each version's examples as `<ns>/<type>/<version>/examples/<n>.json` — FactCast's server ignores
 * files index.json does not name, and reading them back keeps a factline → factline move lossless.
 */
import {
  formatJsonFile,
  isPathSegment,
  isPositiveVersion,
  isRecord,
  md5Hex,
  normalizePath,
  parseJson,
  readExamples,
  versionFromSegment,
  type LayoutProblem,
} from "./files";

import { TransformationReader, writeTransformations, type LayoutTransformation } from "./transformations";

export type { LayoutProblem } from "./files";
export { md5Hex } from "./files";
export type { LayoutTransformation } from "./transformations";

export interface LayoutSchema {
  ns: string;
  type: string;
  /** 1 or more. */
  version: number;
  /** The schema.json file as it is (its MD5 is the hash index.json carries). */
  schemaText: string;
  /** Example payloads (JSON texts), in file name order. */
  examples?: string[];
}

export interface RegistryLayout {
  /** Ordered by ns, type, version. */
  schemas: LayoutSchema[];
  /** Ordered by ns, type, from, to. */
  transformations: LayoutTransformation[];
  /** Ordered by path. */
  problems: LayoutProblem[];
}

/** files: path relative to the registry root → content. */
export function readRegistryLayout(files: Record<string, string>): RegistryLayout {
  const byPath = new Map<string, string>();
  for (const key of Object.keys(files).sort()) {
    const path = normalizePath(key);
    if (!byPath.has(path)) byPath.set(path, files[key]);
  }
  const reader = new Reader(byPath);
  const index = byPath.get("index.json");
  if (index === undefined) {
    reader.discover();
  } else {
    const parsed = parseJson(index);
    if (!parsed.ok) {
      reader.problem(
        "index.json",
        "error",
        `not valid JSON (${parsed.error}); schemas were looked for by their paths instead — fix index.json or leave it out`,
      );
      reader.discover();
    } else if (!isRecord(parsed.value) || !Array.isArray(parsed.value.schemes ?? [])) {
      reader.problem(
        "index.json",
        "error",
        `expected an object with a "schemes" array; schemas were looked for by their paths instead — fix index.json or leave it out`,
      );
      reader.discover();
    } else {
      reader.fromIndex(parsed.value);
    }
  }
  return reader.result();
}

interface Key {
  ns: string;
  type: string;
  version: number;
}

class Reader {
  private readonly schemas = new Map<string, LayoutSchema & { path: string }>();
  private readonly problems: LayoutProblem[] = [];
  private readonly transformations: TransformationReader;

  constructor(private readonly files: ReadonlyMap<string, string>) {
    this.transformations = new TransformationReader(files, this.problems);
  }

  problem(path: string, severity: LayoutProblem["severity"], message: string): void {
    this.problems.push({ path, severity, message });
  }

  result(): RegistryLayout {
    const schemas = [...this.schemas.values()]
      .sort((x, y) => compare(x.ns, y.ns) || compare(x.type, y.type) || x.version - y.version)
      .map(({ path: _path, ...schema }) => schema);
    // Stable: a file's problems keep the order they were found in.
    const problems = [...this.problems].sort((x, y) => compare(x.path, y.path));
    return { schemas, transformations: this.transformations.result(), problems };
  }

  fromIndex(index: Record<string, unknown>): void {
    const listed = new Set<string>();
    const schemes = (index.schemes ?? []) as unknown[];
    schemes.forEach((entry, i) => {
      const path = this.fromIndexEntry(entry, `index.json "schemes"[${i}]`);
      if (path !== undefined) listed.add(path);
    });
    this.transformations.fromIndex(index.transformations);
    for (const path of this.files.keys()) {
      if ((path === "schema.json" || path.endsWith("/schema.json")) && !listed.has(path)) {
        this.problem(
          path,
          "warning",
          `not listed in index.json, so FactCast ignores it and so did this import — add it to "schemes" to import it`,
        );
      }
    }
  }

  /** One `schemes` entry; returns the file it names, if it names one. */
  private fromIndexEntry(entry: unknown, label: string): string | undefined {
    if (!isRecord(entry) || typeof entry.id !== "string" || entry.id === "") {
      this.problem(
        "index.json",
        "error",
        `${label} has no "id"; give it the schema file's path, e.g. "users/UserCreated/1/schema.json"`,
      );
      return undefined;
    }
    const path = normalizePath(entry.id);
    const fromPath = deployedKey(path);
    // FactCast keys a schema by the entry's fields; the path only says where to fetch it. Missing
    // fields are taken from a path in the standard layout rather than refusing the schema.
    const given = (field: keyof Key) => (Object.hasOwn(entry, field) ? entry[field] : fromPath?.[field]);
    const ns = given("ns");
    const type = given("type");
    const version = given("version");
    if (typeof ns !== "string" || ns === "" || typeof type !== "string" || type === "") {
      this.problem(path, "error", `${label} needs a non-empty "ns" and "type"; add them to the entry`);
      return path;
    }
    if (!isPositiveVersion(version)) {
      const has = version === undefined ? `has no "version"` : `has version ${JSON.stringify(version)}`;
      this.problem(path, "error", `${label} ${has}; a version must be a positive integer (1, 2, …)`);
      return path;
    }
    if (fromPath && (fromPath.ns !== ns || fromPath.type !== type || fromPath.version !== version)) {
      this.problem(
        path,
        "error",
        `${label} says ${describe({ ns, type, version })} but the path says ${describe(fromPath)}; make the entry and the path agree`,
      );
      return path;
    }
    const text = this.files.get(path);
    if (text === undefined) {
      this.problem(
        path,
        "error",
        `listed in index.json but the file is missing; add the file or remove its entry from "schemes"`,
      );
      return path;
    }
    const hash = entry.hash;
    if (typeof hash === "string" && hash.toLowerCase() !== md5Hex(text)) {
      this.problem(
        path,
        "warning",
        `index.json gives hash ${hash} but the file's MD5 is ${md5Hex(text)}; imported as the file says — update the hash in index.json`,
      );
    }
    this.add({ ns, type, version }, path, text);
    return path;
  }

  /** No index.json: every schema.json (and transform.js) is judged by where it lies. */
  discover(): void {
    for (const path of this.files.keys()) {
      const segments = path.split("/");
      const file = segments[segments.length - 1];
      if (this.transformations.discover(path)) continue;
      if (file !== "schema.json") continue;
      // <ns>/<type>/<version>/schema.json, or the CLI's <ns>/<Type>/versions/<n>/schema.json.
      const source = segments.length === 5 && segments[2] === "versions";
      if (segments.length !== 4 && !source) {
        this.problem(
          path,
          "error",
          `not where a schema belongs; move it to <ns>/<type>/<version>/schema.json (or the CLI's <ns>/<Type>/versions/<version>/schema.json)`,
        );
        continue;
      }
      const segment = segments[segments.length - 2];
      const version = versionFromSegment(segment);
      if (version === undefined) {
        this.problem(
          path,
          "error",
          `version directory ${JSON.stringify(segment)} is not a version; name it by a positive integer (1, 2, …)`,
        );
        continue;
      }
      this.add({ ns: segments[0], type: segments[1], version }, path, this.files.get(path)!);
    }
  }

  private add(key: Key, path: string, text: string): void {
    const parsed = parseJson(text);
    if (!parsed.ok) {
      this.problem(path, "error", `not valid JSON (${parsed.error}); fix the schema to import it`);
      return;
    }
    if (!isRecord(parsed.value) && typeof parsed.value !== "boolean") {
      this.problem(
        path,
        "error",
        `not a JSON Schema: a schema is a JSON object (or true/false); fix the file to import it`,
      );
      return;
    }
    const id = `${key.ns}\u0000${key.type}\u0000${key.version}`;
    const earlier = this.schemas.get(id);
    if (earlier) {
      this.problem(path, "error", `${describe(key)} is already defined by ${earlier.path}; remove one of them`);
      return;
    }
    const dir = path.slice(0, path.lastIndexOf("/"));
    const examples = readExamples(this.files, dir, this.problems);
    this.schemas.set(id, { ...key, schemaText: text, ...(examples ? { examples } : {}), path });
  }
}

/** `<ns>/<type>/<version>/schema.json` → its key; undefined for any other path. */
function deployedKey(path: string): Key | undefined {
  const segments = path.split("/");
  if (segments.length !== 4 || segments[3] !== "schema.json") return undefined;
  const version = versionFromSegment(segments[2]);
  return version === undefined ? undefined : { ns: segments[0], type: segments[1], version };
}

function describe(key: Key): string {
  return `${key.ns}/${key.type} version ${key.version}`;
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * FactCast's deployed layout for a set of schemas: index.json and `<ns>/<type>/<version>/schema.json`
 * (plus examples, see the module comment). Keys come in a stable order, index.json first.
 * Throws on input the registry should never hold (a bad name or version, a duplicate, schema text
 * that is not JSON): that is our bug, not the user's.
 */
export function writeRegistryLayout(
  schemas: readonly LayoutSchema[],
  transformations: readonly LayoutTransformation[] = [],
): Record<string, string> {
  const sorted = [...schemas].sort((x, y) => compare(x.ns, y.ns) || compare(x.type, y.type) || x.version - y.version);
  const files: Record<string, string> = {};
  const schemes: Array<{ id: string; ns: string; type: string; version: number; hash: string }> = [];
  for (const [i, schema] of sorted.entries()) {
    const { ns, type, version } = schema;
    if (!isPathSegment(ns) || !isPathSegment(type) || !isPositiveVersion(version)) {
      throw new Error(
        `cannot export ${JSON.stringify({ ns, type, version })}: ns and type must be directory names and version a positive integer`,
      );
    }
    const previous = sorted[i - 1];
    if (previous && previous.ns === ns && previous.type === type && previous.version === version) {
      throw new Error(`cannot export ${describe(schema)} twice`);
    }
    const dir = `${ns}/${type}/${version}`;
    const parsed = parseJson(schema.schemaText);
    if (!parsed.ok) throw new Error(`cannot export ${describe(schema)}: its schema is not JSON (${parsed.error})`);
    const text = formatJsonFile(parsed.value);
    schemes.push({ id: `${dir}/schema.json`, ns, type, version, hash: md5Hex(text) });
    files[`${dir}/schema.json`] = text;
    (schema.examples ?? []).forEach((example, n) => {
      const parsedExample = parseJson(example);
      // An example that is not JSON is written as it is: exporting must not fail because of one.
      files[`${dir}/examples/${n + 1}.json`] = parsedExample.ok ? formatJsonFile(parsedExample.value) : example;
    });
  }
  const written = writeTransformations(transformations);
  Object.assign(files, written.files);
  const index = formatJsonFile({ schemes, transformations: written.entries });
  return { "index.json": index, ...Object.fromEntries(Object.entries(files).sort(([x], [y]) => compare(x, y))) };
}
