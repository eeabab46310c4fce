import { describe, expect, it } from "vitest";
import { liveBadge } from "./live-status";

const state = (...args: Parameters<typeof liveBadge>) => liveBadge(...args).state;

describe("live status badge", () => {
  it("says Paused, not Live, while the list holds still — and Live again on resume", () => {
    expect(liveBadge({ kind: "live", caughtUp: true }, true)).toMatchObject({ state: "paused", label: "Paused" });
    expect(liveBadge({ kind: "live", caughtUp: false }, true)).toMatchObject({
      state: "paused",
      label: "Paused (catching up)",
    });
    expect(liveBadge({ kind: "live", caughtUp: true }, false)).toMatchObject({ state: "live", label: "Live" });
    expect(liveBadge({ kind: "live", caughtUp: false }, false)).toMatchObject({
      state: "catching-up",
      label: "Catching up",
    });
  });

  it("never says Live while the store's database is unavailable", () => {
    for (const caughtUp of [true, false]) {
      expect(liveBadge({ kind: "live", caughtUp }, false, true)).toMatchObject({
        state: "waiting",
        label: "Waiting for the database",
        tone: "warn",
      });
      // Paused still says paused; the page's notice tells about the database.
      expect(state({ kind: "live", caughtUp }, true, true)).toBe("paused");
    }
    expect(state({ kind: "reconnecting", attempt: 1, inMs: 500, error: "x" }, false, true)).toBe("reconnecting");
  });

  it("puts connection trouble, stop and a hidden tab before pause", () => {
    for (const paused of [false, true]) {
      expect(state({ kind: "reconnecting", attempt: 2, inMs: 0, error: "" }, paused)).toBe("reconnecting");
      expect(state({ kind: "stopped" }, paused)).toBe("stopped");
      expect(state({ kind: "hidden" }, paused)).toBe("hidden");
      expect(state({ kind: "failed", title: "The query is not valid", detail: "from_date …" }, paused)).toBe("failed");
      expect(state({ kind: "connecting" }, paused)).toBe("connecting");
    }
  });

  it("says when and why it reconnects, and why it failed", () => {
    expect(
      liveBadge(
        { kind: "reconnecting", attempt: 3, inMs: 2_400, error: "store unreachable: connection refused" },
        false,
      ),
    ).toEqual({
      state: "reconnecting",
      label: "Reconnecting in 2 s (attempt 3)",
      tone: "warn",
      detail: "store unreachable: connection refused",
    });
    expect(liveBadge({ kind: "reconnecting", attempt: 1, inMs: 0, error: "" }, false).label).toBe(
      "Reconnecting (attempt 1)…",
    );
    expect(
      liveBadge({ kind: "failed", title: "The query is not valid", detail: "after_serial -1 is negative" }, false),
    ).toMatchObject({
      label: "Failed: The query is not valid",
      tone: "danger",
      detail: "after_serial -1 is negative",
    });
  });
});
