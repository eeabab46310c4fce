import { expect, it } from "vitest";
import { describeBreakdown, type FirstRowSample } from "./console-timing";

const sample = (over: Partial<FirstRowSample>): FirstRowSample => ({
  totalMs: 300,
  ttfbMs: 180,
  htmlEndMs: 190,
  domContentLoadedMs: 230,
  fcpMs: 240,
  rowMs: 260,
  htmlBytes: 48_000,
  htmlWireBytes: 9_000,
  jsBytes: 310_000,
  jsWireBytes: 0,
  ...over,
});

it("prints the median of each part, not the first or the mean", () => {
  const note = describeBreakdown([sample({ ttfbMs: 100 }), sample({ ttfbMs: 900 }), sample({ ttfbMs: 180 })]);
  expect(note).toBe(
    "medians in the page: TTFB 180 · HTML end 190 · DCL 230 · FCP 240 · row 260 ms; " +
      "HTML 48 kB (9 kB on the wire), JS 310 kB before the row (0 kB on the wire)",
  );
});

it("says n/a for a part the browser never reported instead of printing NaN", () => {
  const note = describeBreakdown([sample({ fcpMs: undefined, domContentLoadedMs: Number.NaN })]);
  expect(note).toContain("DCL n/a · FCP n/a");
  expect(note).not.toContain("NaN");
  expect(describeBreakdown([])).toBe("no samples");
});
