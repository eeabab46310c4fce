import { describe, expect, it } from "vitest";
import { chainPath, edgeKind, stepKind, versionChoices } from "./versions";

describe("version choices", () => {
  it("offer what a chain reaches, marking the published version", () => {
    expect(versionChoices(1, [1, 2, 3], [1])).toEqual([
      { version: 1, label: "v1 (as published)" },
      { version: 2, label: "v2" },
      { version: 3, label: "v3" },
    ]);
  });

  it("fall back to the versions the catalog knows when the store does not say", () => {
    expect(versionChoices(2, [], [1, 2, 4]).map((c) => c.label)).toEqual(["v1", "v2 (as published)", "v4"]);
  });

  it("always include the version asked for, saying when no chain reaches it", () => {
    expect(versionChoices(1, [1, 2], [], 5).map((c) => c.label)).toEqual(["v1 (as published)", "v2", "v5 (no chain)"]);
    expect(versionChoices(1, [], [1], 5).map((c) => c.label)).toEqual(["v1 (as published)", "v5"]);
  });

  it("offer a fact published without a version as such", () => {
    expect(versionChoices(0, [0], [])).toEqual([{ version: 0, label: "v0 (as published)" }]);
  });
});

describe("chains in words", () => {
  it("write the path and what each step does", () => {
    const steps = [
      { fromVersion: 1, toVersion: 2, hasCode: true, synthetic: false },
      { fromVersion: 2, toVersion: 3, hasCode: true, synthetic: false },
    ];
    expect(chainPath(steps)).toBe("v1 → v2 → v3");
    expect(chainPath([])).toBe("");
    expect(stepKind(steps[0])).toBe("upcast (code)");
    expect(stepKind({ fromVersion: 3, toVersion: 2, hasCode: false, synthetic: true })).toBe(
      "downcast (identity, assumed)",
    );
    expect(stepKind({ fromVersion: 3, toVersion: 2, hasCode: false, synthetic: false })).toBe(
      "downcast (identity, registered)",
    );
  });

  it("name a schema page's edges the same way: registered upcasts have code, synthetic downcasts none", () => {
    expect(edgeKind(1, 2, true, false)).toBe("upcast (code)");
    expect(edgeKind(2, 1, false, true)).toBe("downcast (identity, assumed)");
    expect(edgeKind(3, 1, true, false)).toBe("downcast (code)");
  });
});
