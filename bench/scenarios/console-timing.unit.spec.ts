import { expect, it } from "vitest";
import { describeBreakdown, firstRowMs, htmlText, type FirstRowSample } from "./console-timing";

const sample = (over: Partial<FirstRowSample>): FirstRowSample => ({
  paintedMs: 250,
  totalMs: 370,
  ttfbMs: 180,
  htmlEndMs: 190,
  domContentLoadedMs: 230,
  fcpMs: 240,
  rowMs: 330,
  htmlBytes: 48_000,
  htmlWireBytes: 9_000,
  jsBytes: 310_000,
  jsWireBytes: 0,
  rowInHtml: true,
  observedMs: 245,
  ...over,
});

it("prints the median of each part, not the first or the mean", () => {
  const note = describeBreakdown([sample({ ttfbMs: 100 }), sample({ ttfbMs: 900 }), sample({ ttfbMs: 180 })]);
  expect(note).toBe(
    "row painted 250 ms (Element Timing in 3 of 3), seen by a polled check 330, by the bench 370; " +
      "medians in the page: TTFB 180 · HTML end 190 · DCL 230 · FCP 240 · row laid out 245 ms; " +
      "HTML 48 kB (9 kB on the wire), JS 310 kB before the polled row (0 kB on the wire); row in the server's HTML 3 of 3",
  );
});

it("says n/a for a part the browser never reported instead of printing NaN", () => {
  const note = describeBreakdown([
    sample({
      paintedMs: undefined,
      fcpMs: undefined,
      domContentLoadedMs: Number.NaN,
      rowInHtml: false,
      observedMs: undefined,
    }),
  ]);
  expect(note).toContain("row painted n/a ms (Element Timing in 0 of 1; the others' figure is the polled time)");
  expect(note).toContain("DCL n/a · FCP n/a");
  expect(note).toContain("row laid out n/a ms");
  expect(note).not.toContain("NaN");
  expect(note).toContain("row in the server's HTML 0 of 1");
  expect(describeBreakdown([])).toBe("no samples");
});

it("takes the painted time as a sample's figure, and the polled time only where no paint was reported", () => {
  expect(firstRowMs(sample({ paintedMs: 212, rowMs: 390, totalMs: 420 }))).toBe(212);
  expect(firstRowMs(sample({ paintedMs: undefined, rowMs: 390, totalMs: 420 }))).toBe(390);
  // A painted time of 0 is a time (the navigation's origin), not a missing one.
  expect(firstRowMs(sample({ paintedMs: 0, rowMs: 390 }))).toBe(0);
  const mixed = describeBreakdown([sample({}), sample({ paintedMs: undefined }), sample({ paintedMs: 270 })]);
  expect(mixed).toContain("row painted 260 ms (Element Timing in 2 of 3; the others' figure is the polled time)");
});

it("finds the row in the HTML's visible text only, not in scripts (the RSC payload) or attributes", () => {
  const html =
    '<html><head><script>self.__next_f.push([1,"ns07"])</script><style>.ns07{}</style></head>' +
    '<body><a href="/namespaces/ns07" data-x="ns07">Namespaces</a><SCRIPT type="x">ns07</SCRIPT></body></html>';
  expect(htmlText(html)).not.toContain("ns07");
  expect(htmlText("<table><tr><td>ns07</td></tr></table>")).toContain("ns07");
  expect(htmlText('<div hidden id="S:0"><span>ns07</span></div>')).toContain("ns07");
});
