// Chains as FactCast computes them: shortest path, ties toward later versions, synthetic identity
// downcasts between adjacent schema versions, missing upcasts.
import { describe, expect, it } from "vitest";
import { describePath, edgesOf, findChain, missingUpcasts, reachableVersions, type Edge } from "./chains";

/** Edges with code named after their pair, e.g. "1>2". */
function graph(...pairs: Array<[number, number]>): Edge[] {
  return edgesOf(
    pairs.map(([from, to]) => ({ from, to, code: `${from}>${to}` })),
    [],
  );
}

const pathOf = (edges: Edge[], from: number, targets: number[]) => {
  const chain = findChain(edges, from, targets);
  return chain && describePath(chain.path);
};

describe("findChain", () => {
  it("follows a straight line of upcasts", () => {
    const chain = findChain(graph([1, 2], [2, 3], [3, 4], [4, 5]), 2, [5])!;
    expect(chain.path).toEqual([2, 3, 4, 5]);
    expect(chain.steps.map((s) => s.code)).toEqual(["2>3", "3>4", "4>5"]);
    expect([chain.from, chain.to]).toEqual([2, 5]);
  });

  it("takes a shortcut over a longer line", () => {
    expect(pathOf(graph([1, 2], [2, 3], [3, 4], [4, 5], [2, 4]), 1, [5])).toBe("[1, 2, 4, 5]");
  });

  it("between shortcuts of the same length, prefers the one through later versions", () => {
    // 1→2→3→5 and 1→2→4→5: both three steps; the sums of their targets are 10 and 11.
    expect(pathOf(graph([1, 2], [2, 3], [3, 5], [2, 4], [4, 5]), 1, [5])).toBe("[1, 2, 4, 5]");
    expect(pathOf(graph([1, 2], [2, 4], [4, 5], [2, 3], [3, 5]), 1, [5])).toBe("[1, 2, 4, 5]");
  });

  it("prefers a shorter path to a lower version over a longer one to a higher version", () => {
    const edges = graph([1, 2], [2, 3], [3, 4], [4, 5], [1, 4]);
    expect(pathOf(edges, 1, [4, 5])).toBe("[1, 4]");
    expect(pathOf(edges, 1, [5])).toBe("[1, 4, 5]");
  });

  it("with equally short paths to several requested versions, picks the higher version", () => {
    expect(pathOf(graph([2, 1], [2, 3]), 2, [1, 3])).toBe("[2, 3]");
  });

  it("picks the nearer requested version even when it is a downcast", () => {
    expect(pathOf(graph([2, 1], [2, 3], [3, 4]), 2, [1, 4])).toBe("[2, 1]");
  });

  it("answers undefined when no requested version is reachable", () => {
    expect(findChain(graph([1, 2]), 1, [7])).toBeUndefined();
    expect(findChain(graph([1, 2]), 2, [1])).toBeUndefined();
    expect(findChain([], 1, [2])).toBeUndefined();
  });

  it("never loops on cycles", () => {
    expect(pathOf(graph([1, 2], [2, 1], [2, 3], [3, 2]), 1, [3])).toBe("[1, 2, 3]");
  });
});

describe("edgesOf: synthetic identity downcasts", () => {
  it("adds a code-less downcast between adjacent schema versions that have none registered", () => {
    const edges = edgesOf(
      [
        { from: 1, to: 2, code: "up" },
        { from: 3, to: 2, code: "down" },
      ],
      [1, 2, 3, 5],
    );
    expect(edges.map((e) => [e.from, e.to, e.code, e.synthetic])).toEqual([
      [1, 2, "up", false],
      [2, 1, undefined, true],
      [3, 2, "down", false],
      [5, 3, undefined, true],
    ]);
  });

  it("lets a chain go down through synthetic steps and up again", () => {
    const edges = edgesOf([{ from: 1, to: 2, code: "up" }], [1, 2, 3]);
    expect(describePath(findChain(edges, 3, [1])!.path)).toBe("[3, 2, 1]");
    expect(findChain(edges, 3, [1])!.steps.every((s) => s.synthetic && s.code === undefined)).toBe(true);
  });

  it("keeps a registered code-less downcast as registered", () => {
    const [edge] = edgesOf([{ from: 4, to: 1 }], []);
    expect(edge).toEqual({ from: 4, to: 1, code: undefined, synthetic: false });
  });
});

describe("reachableVersions and missingUpcasts", () => {
  it("lists every version a chain reaches, the start included", () => {
    const edges = edgesOf([{ from: 1, to: 2, code: "up" }], [1, 2, 3]);
    expect(reachableVersions(edges, 1)).toEqual([1, 2]);
    expect(reachableVersions(edges, 3)).toEqual([1, 2, 3]);
  });

  it("reports adjacent schema versions without a chain upwards", () => {
    const edges = edgesOf([{ from: 1, to: 3, code: "skip" }], [1, 2, 3, 4]);
    // 1 → 2 goes 1 → 3 → 2 and 2 → 3 goes 2 → 1 → 3 (synthetic downcasts); 3 → 4 has no way up.
    expect(missingUpcasts(edges, [1, 2, 3, 4])).toEqual([[3, 4]]);
    expect(missingUpcasts(edgesOf([], [1, 2]), [1, 2])).toEqual([[1, 2]]);
    expect(missingUpcasts(edges, [1])).toEqual([]);
  });
});
