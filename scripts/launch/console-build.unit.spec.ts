import { describe, expect, it } from "vitest";
import { buildReason, judgeBuild, type BuildFacts } from "./console-build";

const built = 1_000_000;
const facts = (over: Partial<BuildFacts>): BuildFacts => ({
  buildIdMtimeMs: built,
  stamp: { commit: "a".repeat(40), sourcesMtimeMs: built - 5_000 },
  commit: "a".repeat(40),
  newestSourceMtimeMs: built - 5_000,
  ...over,
});

describe("whether npm start rebuilds the console", () => {
  it("builds when there is no build", () => {
    expect(judgeBuild(facts({ buildIdMtimeMs: undefined, stamp: undefined }))).toEqual({ state: "missing" });
  });

  it("keeps a build made from this commit with no source changed since", () => {
    expect(judgeBuild(facts({}))).toEqual({ state: "fresh" });
  });

  it("rebuilds when a source changed after the build saw it, even during the build", () => {
    // Edited while `next build` ran: newer than what the stamp recorded, older than BUILD_ID.
    expect(judgeBuild(facts({ newestSourceMtimeMs: built - 1_000 }))).toEqual({ state: "stale", reason: "sources" });
  });

  it("rebuilds a build made from another commit, whatever the file times say", () => {
    expect(judgeBuild(facts({ commit: "b".repeat(40) }))).toEqual({
      state: "stale",
      reason: "commit",
      builtFrom: "a".repeat(40),
    });
  });

  it("judges a build without a stamp (older factline, a bare next build) by its BUILD_ID's age", () => {
    expect(judgeBuild(facts({ stamp: undefined, newestSourceMtimeMs: built - 1 }))).toEqual({ state: "fresh" });
    expect(judgeBuild(facts({ stamp: undefined, newestSourceMtimeMs: built + 1 }))).toEqual({
      state: "stale",
      reason: "sources",
    });
  });

  it("outside a git checkout compares file times only", () => {
    expect(judgeBuild(facts({ commit: null }))).toEqual({ state: "fresh" });
    expect(judgeBuild(facts({ stamp: { commit: null, sourcesMtimeMs: built }, commit: "c".repeat(40) }))).toEqual({
      state: "fresh",
    });
  });

  it("says why in one line", () => {
    expect(buildReason({ state: "stale", reason: "sources" })).toBe(
      "factline: the console build is older than its sources; rebuilding…",
    );
    expect(buildReason({ state: "stale", reason: "commit", builtFrom: "0123456789abcdef" })).toBe(
      "factline: the console build was made from another commit (0123456789ab); rebuilding…",
    );
    expect(buildReason({ state: "missing" })).toMatch(/^factline: building the console/);
  });
});
