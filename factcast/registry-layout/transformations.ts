/**
 * Transformations in FactCast's registry layout, in and out (store/transformations/ runs them):
 * - deployed: index.json `transformations` entries ({id, ns, type, from, to, hash}) naming
 *   `<ns>/<type>/<from>-<to>/transform.js`, and FactCast's synthetic entries
 *   (`synthetic/<ns>/<type>/<from>-<to>/transform.js`, no file, no hash): downcasts without code;
 * - without index.json: `<ns>/<type>/<from>-<to>/transform.js` by path, or the registry CLI's
 *   source layout `<ns>/<Type>/transformations/<from>-<to>/transform.js`.
 * Hash mismatches are warnings, as for schemas: the file is the code.
 */
import {
  isPathSegment,
  isPositiveVersion,
  isRecord,
  md5Hex,
  normalizePath,
  versionFromSegment,
  type LayoutProblem,
} from "./files";

export interface LayoutTransformation {
  ns: string;
  type: string;
  from: number;
  to: number;
  /** The transform.js text; undefined for a synthetic downcast (no code: the identity). */
  code?: string;
}

const SYNTHETIC = "synthetic/";

const describe = (t: { ns: string; type: string; from: number; to: number }) => `${t.ns}/${t.type} ${t.from} → ${t.to}`;

/** `<from>-<to>` → both versions; undefined for any other directory name. */
function versionsFromSegment(segment: string): { from: number; to: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(segment);
  if (!match) return undefined;
  const from = versionFromSegment(match[1]);
  const to = versionFromSegment(match[2]);
  return from !== undefined && to !== undefined ? { from, to } : undefined;
}

/** `<ns>/<type>/<from>-<to>/transform.js` → its key; undefined for any other path. */
function keyOfPath(path: string): Omit<LayoutTransformation, "code"> | undefined {
  const segments = path.split("/");
  if (segments.length !== 4 || segments[3] !== "transform.js") return undefined;
  const versions = versionsFromSegment(segments[2]);
  return versions && { ns: segments[0], type: segments[1], ...versions };
}

/** Collects transformations, refusing duplicates and impossible pairs. */
export class TransformationReader {
  private readonly found = new Map<string, LayoutTransformation & { path: string }>();
  /** Files a listed entry accounted for (others are reported as not listed). */
  private readonly listed = new Set<string>();

  constructor(
    private readonly files: ReadonlyMap<string, string>,
    private readonly problems: LayoutProblem[],
  ) {}

  private problem(path: string, severity: LayoutProblem["severity"], message: string): void {
    this.problems.push({ path, severity, message });
  }

  /** index.json's `transformations` array. */
  fromIndex(entries: unknown): void {
    if (entries === undefined) return;
    if (!Array.isArray(entries)) {
      this.problem("index.json", "error", `"transformations" must be an array; no transformation was imported`);
      return;
    }
    entries.forEach((entry, i) => this.fromIndexEntry(entry, `index.json "transformations"[${i}]`));
    for (const path of this.files.keys()) {
      if ((path === "transform.js" || path.endsWith("/transform.js")) && !this.listed.has(path)) {
        this.problem(
          path,
          "warning",
          `not listed in index.json, so FactCast ignores it and so did this import — add it to "transformations" to import it`,
        );
      }
    }
  }

  private fromIndexEntry(entry: unknown, label: string): void {
    if (!isRecord(entry) || typeof entry.id !== "string" || entry.id === "") {
      this.problem("index.json", "error", `${label} has no "id"; give it the path of its transform.js`);
      return;
    }
    const id = normalizePath(entry.id);
    const synthetic = id.startsWith(SYNTHETIC);
    const path = synthetic ? id.slice(SYNTHETIC.length) : id;
    const fromPath = keyOfPath(path);
    const given = (field: "ns" | "type" | "from" | "to") =>
      Object.hasOwn(entry, field) ? entry[field] : fromPath?.[field];
    const [ns, type, from, to] = [given("ns"), given("type"), given("from"), given("to")];
    if (typeof ns !== "string" || ns === "" || typeof type !== "string" || type === "") {
      this.problem(id, "error", `${label} needs a non-empty "ns" and "type"; add them to the entry`);
      return;
    }
    if (!isPositiveVersion(from) || !isPositiveVersion(to) || from === to) {
      this.problem(
        id,
        "error",
        `${label} has from ${JSON.stringify(from ?? null)} and to ${JSON.stringify(to ?? null)}; both must be different positive integers`,
      );
      return;
    }
    const key = { ns, type, from, to };
    if (fromPath && (fromPath.ns !== ns || fromPath.type !== type || fromPath.from !== from || fromPath.to !== to)) {
      this.problem(
        id,
        "error",
        `${label} says ${describe(key)} but the path says ${describe(fromPath)}; make the entry and the path agree`,
      );
      return;
    }
    if (synthetic) {
      if (to > from) {
        this.problem(
          id,
          "error",
          `${label} is a synthetic upcast; only downcasts may be without code — add its transform.js`,
        );
        return;
      }
      this.add(key, id, undefined);
      return;
    }
    this.listed.add(path);
    const code = this.files.get(path);
    if (code === undefined) {
      this.problem(path, "error", `listed in index.json but the file is missing; add the file or remove its entry`);
      return;
    }
    if (typeof entry.hash === "string" && entry.hash.toLowerCase() !== md5Hex(code)) {
      this.problem(
        path,
        "warning",
        `index.json gives hash ${entry.hash} but the file's MD5 is ${md5Hex(code)}; imported as the file says — update the hash in index.json`,
      );
    }
    this.add(key, path, code);
  }

  /** Without index.json: a transform.js judged by where it lies; false when `path` is none. */
  discover(path: string): boolean {
    const segments = path.split("/");
    if (segments[segments.length - 1] !== "transform.js") return false;
    // <ns>/<type>/<from>-<to>/transform.js, or the CLI's <ns>/<Type>/transformations/<from>-<to>/transform.js.
    const source = segments.length === 5 && segments[2] === "transformations";
    const versions = versionsFromSegment(segments[segments.length - 2]);
    if ((segments.length !== 4 && !source) || !versions) {
      this.problem(
        path,
        "error",
        `not where a transformation belongs; move it to <ns>/<type>/<from>-<to>/transform.js (or the CLI's <ns>/<Type>/transformations/<from>-<to>/transform.js)`,
      );
      return true;
    }
    if (versions.from === versions.to) {
      this.problem(path, "error", `transforms version ${versions.from} into itself; name the directory <from>-<to>`);
      return true;
    }
    this.add({ ns: segments[0], type: segments[1], ...versions }, path, this.files.get(path)!);
    return true;
  }

  private add(key: Omit<LayoutTransformation, "code">, path: string, code: string | undefined): void {
    const id = `${key.ns}\u0000${key.type}\u0000${key.from}\u0000${key.to}`;
    const earlier = this.found.get(id);
    if (earlier) {
      this.problem(path, "error", `${describe(key)} is already defined by ${earlier.path}; remove one of them`);
      return;
    }
    this.found.set(id, { ...key, ...(code === undefined ? {} : { code }), path });
  }

  /** Ordered by ns, type, from, to. */
  result(): LayoutTransformation[] {
    return [...this.found.values()]
      .sort((x, y) => compare(x.ns, y.ns) || compare(x.type, y.type) || x.from - y.from || x.to - y.to)
      .map(({ path: _path, ...t }) => t);
  }
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * index.json entries and files for transformations: code as `<ns>/<type>/<from>-<to>/transform.js`
 * with its MD5, downcasts without code as FactCast's synthetic entries. Throws on input the
 * registry should never hold (our bug, not the user's).
 */
export function writeTransformations(transformations: readonly LayoutTransformation[]): {
  entries: Array<Record<string, unknown>>;
  files: Record<string, string>;
} {
  const entries: Array<Record<string, unknown>> = [];
  const files: Record<string, string> = {};
  const sorted = [...transformations].sort(
    (x, y) => compare(x.ns, y.ns) || compare(x.type, y.type) || x.from - y.from || x.to - y.to,
  );
  for (const t of sorted) {
    if (!isPathSegment(t.ns) || !isPathSegment(t.type) || !isPositiveVersion(t.from) || !isPositiveVersion(t.to)) {
      throw new Error(`cannot export the transformation ${JSON.stringify(t)}: bad names or versions`);
    }
    const path = `${t.ns}/${t.type}/${t.from}-${t.to}/transform.js`;
    if (t.code === undefined) {
      if (t.to > t.from) throw new Error(`cannot export ${describe(t)}: an upcast needs code`);
      entries.push({ id: `${SYNTHETIC}${path}`, ns: t.ns, type: t.type, from: t.from, to: t.to });
      continue;
    }
    entries.push({ id: path, ns: t.ns, type: t.type, from: t.from, to: t.to, hash: md5Hex(t.code) });
    files[path] = t.code;
  }
  return { entries, files };
}
