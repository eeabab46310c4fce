/**
 * Transformation chains as FactCast computes them (TransformationChains): per (ns, type) a directed
 * graph whose edges are transformations between versions; a fact of version `from` reaches one of
 * the requested versions along a shortest path (every step costs the same); among shortest paths
 * the one whose steps land on higher versions wins (FactCast: the higher sum of the steps' target
 * versions, "bias to later versions"). Downcasts without code are edges too — registered ones and
 * the synthetic identity downcasts FactCast's registry tool adds between adjacent schema versions
 * that have no downcast of their own — so "no downcast code" means "compatible".
 * Pure: the registry (store/transformations/registry.ts) feeds it and caches its answers.
 */

export interface Edge {
  from: number;
  to: number;
  /** undefined: the identity (a downcast without code). */
  code?: string;
  /** Not registered: assumed between adjacent schema versions (see edgesOf). */
  synthetic: boolean;
}

export interface Chain {
  from: number;
  to: number;
  /** The steps in order; never empty. */
  steps: Edge[];
  /** [from, each step's target…], FactCast's version path, e.g. [1, 2, 3]. */
  path: number[];
}

/**
 * The graph's edges: every registered transformation, plus an identity downcast from each
 * registered schema version to the next lower one where none is registered.
 */
export function edgesOf(
  registered: ReadonlyArray<{ from: number; to: number; code?: string }>,
  schemaVersions: readonly number[],
): Edge[] {
  const edges: Edge[] = registered.map((t) => ({ from: t.from, to: t.to, code: t.code, synthetic: false }));
  const has = new Set(registered.map((t) => `${t.from}>${t.to}`));
  const versions = [...new Set(schemaVersions)].sort((a, b) => a - b);
  for (let i = versions.length - 1; i > 0; i--) {
    const [higher, lower] = [versions[i], versions[i - 1]];
    if (!has.has(`${higher}>${lower}`)) edges.push({ from: higher, to: lower, synthetic: true });
  }
  return edges.sort((a, b) => a.from - b.from || a.to - b.to);
}

/** Best path to each version reachable from `from`: fewest steps, then the higher sum of targets. */
function bestPaths(edges: readonly Edge[], from: number): Map<number, { steps: Edge[]; sum: number }> {
  const out = new Map<number, Edge[]>();
  for (const edge of edges) {
    if (!out.has(edge.from)) out.set(edge.from, []);
    out.get(edge.from)!.push(edge);
  }
  const best = new Map<number, { steps: Edge[]; sum: number }>([[from, { steps: [], sum: 0 }]]);
  let layer = [from];
  // Breadth first: every path found in one layer has the same length, so the sum alone decides
  // between them, and a node's best path extends a best path of the layer before.
  while (layer.length > 0) {
    const next = new Map<number, { steps: Edge[]; sum: number }>();
    for (const node of layer) {
      const here = best.get(node)!;
      for (const edge of out.get(node) ?? []) {
        if (best.has(edge.to)) continue;
        const candidate = { steps: [...here.steps, edge], sum: here.sum + edge.to };
        const seen = next.get(edge.to);
        if (!seen || better(candidate, seen)) next.set(edge.to, candidate);
      }
    }
    for (const [node, path] of next) best.set(node, path);
    layer = [...next.keys()];
  }
  return best;
}

/** Same length assumed: the higher sum wins; equal sums go to the path through later versions first. */
function better(a: { steps: Edge[]; sum: number }, b: { steps: Edge[]; sum: number }): boolean {
  if (a.sum !== b.sum) return a.sum > b.sum;
  for (let i = 0; i < a.steps.length; i++) {
    if (a.steps[i].to !== b.steps[i].to) return a.steps[i].to > b.steps[i].to;
  }
  return false;
}

/**
 * The chain from `from` to the best reachable version of `targets` (which must not contain
 * `from`), or undefined when none is reachable.
 */
export function findChain(edges: readonly Edge[], from: number, targets: Iterable<number>): Chain | undefined {
  const best = bestPaths(edges, from);
  let chosen: { steps: Edge[]; sum: number } | undefined;
  for (const target of targets) {
    const path = best.get(target);
    if (!path || path.steps.length === 0) continue;
    if (
      !chosen ||
      path.steps.length < chosen.steps.length ||
      (path.steps.length === chosen.steps.length && better(path, chosen))
    ) {
      chosen = path;
    }
  }
  if (!chosen) return undefined;
  const { steps } = chosen;
  return { from, to: steps[steps.length - 1].to, steps, path: [from, ...steps.map((s) => s.to)] };
}

/** Every version a chain reaches from `from`, `from` included, ascending. */
export function reachableVersions(edges: readonly Edge[], from: number): number[] {
  return [...bestPaths(edges, from).keys()].sort((a, b) => a - b);
}

/**
 * Upcasts consumers lack: adjacent schema versions (ascending) where no chain leads from the
 * lower to the higher one. Downcasts never lack: the synthetic identity covers them.
 */
export function missingUpcasts(edges: readonly Edge[], schemaVersions: readonly number[]): Array<[number, number]> {
  const versions = [...new Set(schemaVersions)].sort((a, b) => a - b);
  const missing: Array<[number, number]> = [];
  for (let i = 1; i < versions.length; i++) {
    if (!bestPaths(edges, versions[i - 1]).has(versions[i])) missing.push([versions[i - 1], versions[i]]);
  }
  return missing;
}

/** FactCast's display of a version path: "[1, 2, 3]". */
export function describePath(path: readonly number[]): string {
  return `[${path.join(", ")}]`;
}
