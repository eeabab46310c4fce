/**
 * The JSON tree as rows on screen: which nodes are open decides which rows exist, and only those
 * are ever built. Containers with many children are split into ranges ([0 … 99], [100 … 199] …,
 * nested by powers of 100, as browser devtools do), so opening one node adds at most ~100 rows
 * however large the payload is.
 */
import {
  childKey,
  childSpan,
  childrenOf,
  rootSpan,
  JsonSyntaxError,
  type JsonChildren,
  type JsonSpan,
} from "./json-scan";

/** Children per level before a container is split into ranges. */
export const GROUP_SIZE = 100;
/** Rows opened on first view: enough to see the payload's shape, few enough to render at once. */
const INITIAL_ROW_BUDGET = 120;
/** How deep the first view opens containers by itself. */
const INITIAL_DEPTH = 3;
/** Collapsed containers up to this size show their child count (counting means scanning them). */
const COUNT_LIMIT_CHARS = 256 * 1024;

export type PathKey = string | number;

/** A parsed-on-demand JSON text. Child indexes are cached per container (by start offset). */
export class JsonDocument {
  readonly root?: JsonSpan;
  readonly error?: JsonSyntaxError;
  private readonly cache = new Map<number, JsonChildren>();

  constructor(readonly text: string) {
    try {
      this.root = rootSpan(text);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      this.error = e;
    }
  }

  children(span: JsonSpan): JsonChildren {
    let c = this.cache.get(span.start);
    if (!c) {
      c = childrenOf(this.text, span);
      this.cache.set(span.start, c);
    }
    return c;
  }

  /** The child count when known cheaply, else undefined (the row shows the size instead). */
  countIfCheap(span: JsonSpan): number | undefined {
    if (this.cache.has(span.start) || span.end - span.start <= COUNT_LIMIT_CHARS) return this.children(span).count;
    return undefined;
  }

  raw(span: JsonSpan): string {
    return this.text.slice(span.start, span.end);
  }
}

export interface ValueRow {
  type: "value";
  id: string;
  depth: number;
  path: PathKey[];
  /** Undefined for the root. */
  keyOf?: PathKey;
  span: JsonSpan;
}

export interface GroupRow {
  type: "group";
  id: string;
  depth: number;
  /** The container's path; the range is its children [from, to). */
  path: PathKey[];
  from: number;
  to: number;
}

export type TreeRow = ValueRow | GroupRow;

/** A stable id for a node: its JSON Pointer (RFC 6901). */
export function pointer(path: PathKey[]): string {
  return path.map((k) => "/" + String(k).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

const groupId = (path: PathKey[], from: number, to: number) => `${pointer(path)}#${from}-${to}`;

/** The range size for `n` children: 100, 10,000, 1,000,000 … the smallest making ≤ 100 ranges. */
function rangeSize(n: number): number {
  let size = GROUP_SIZE;
  while (n > size * GROUP_SIZE) size *= GROUP_SIZE;
  return size;
}

/** The rows to show for the open nodes `open` (ids from `pointer` and ranges). */
export function visibleRows(doc: JsonDocument, open: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  if (!doc.root) return rows;
  const visit = (span: JsonSpan, path: PathKey[], depth: number, keyOf?: PathKey) => {
    const id = pointer(path);
    rows.push({ type: "value", id, depth, path, keyOf, span });
    if ((span.kind === "object" || span.kind === "array") && open.has(id)) {
      const children = doc.children(span);
      emit(children, 0, children.count, path, depth + 1);
    }
  };
  const emit = (children: JsonChildren, from: number, to: number, path: PathKey[], depth: number) => {
    if (to - from <= GROUP_SIZE) {
      for (let i = from; i < to; i++) {
        const key = childKey(doc.text, children, i);
        visit(childSpan(doc.text, children, i), [...path, key], depth, key);
      }
      return;
    }
    const size = rangeSize(to - from);
    for (let a = from; a < to; a += size) {
      const b = Math.min(a + size, to);
      const id = groupId(path, a, b);
      rows.push({ type: "group", id, depth, path, from: a, to: b });
      if (open.has(id)) emit(children, a, b, path, depth + 1);
    }
  };
  visit(doc.root, [], 0);
  return rows;
}

/** The nodes open on first view: breadth first, small containers only, within a row budget. */
export function initialOpen(doc: JsonDocument): Set<string> {
  const open = new Set<string>();
  if (!doc.root) return open;
  let rows = 1;
  let level: { span: JsonSpan; path: PathKey[] }[] = [{ span: doc.root, path: [] }];
  for (let depth = 0; depth < INITIAL_DEPTH && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { span, path } of level) {
      if (span.kind !== "object" && span.kind !== "array") continue;
      // The root always opens; deeper containers only when small and when the budget allows.
      const count = depth === 0 ? doc.children(span).count : doc.countIfCheap(span);
      if (count === undefined || (depth > 0 && (count > GROUP_SIZE || rows + count > INITIAL_ROW_BUDGET))) continue;
      open.add(pointer(path));
      const children = doc.children(span);
      rows += Math.min(children.count, GROUP_SIZE);
      if (children.count > GROUP_SIZE) continue; // ranges stay closed
      for (let i = 0; i < children.count; i++)
        next.push({ span: childSpan(doc.text, children, i), path: [...path, childKey(doc.text, children, i)] });
    }
    level = next;
  }
  return open;
}

/**
 * The ids to open so the node at `path` (child indexes in `indexes`) becomes visible: every
 * ancestor, and every range on the way that holds it.
 */
export function idsToReveal(doc: JsonDocument, path: PathKey[], indexes: number[]): string[] {
  const ids: string[] = [];
  let span = doc.root;
  for (let depth = 0; span && depth < path.length; depth++) {
    const here = path.slice(0, depth);
    ids.push(pointer(here));
    const children = doc.children(span);
    const index = indexes[depth];
    let from = 0;
    let to = children.count;
    while (to - from > GROUP_SIZE) {
      const size = rangeSize(to - from);
      const a = from + Math.floor((index - from) / size) * size;
      const b = Math.min(a + size, to);
      ids.push(groupId(here, a, b));
      from = a;
      to = b;
    }
    span = childSpan(doc.text, children, index);
  }
  return ids;
}

/** All container ids under (and including) the root, for "collapse all"-style resets. */
export function rootOnly(doc: JsonDocument): Set<string> {
  return new Set(doc.root ? [pointer([])] : []);
}

/** `$.items[3]["odd key"]`: a path a user can paste into jq-like tools and JSONPath libraries. */
export function jsonPath(path: PathKey[], root = "$"): string {
  return (
    root +
    path
      .map((k) =>
        typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`,
      )
      .join("")
  );
}
