/**
 * Where a console page's first-row time goes, read from the browser's own clocks (Navigation Timing,
 * Paint Timing, Element Timing, Resource Timing) so a slow row says whether the server render, the
 * HTML transfer, the JS or the hydration bounds it. All in-page times count from the navigation's
 * time origin.
 *
 * The headline is the row's painted time: the first rows carry an `elementtiming` attribute
 * (lib/view/element-timing.ts) and the browser reports when their text reached the screen. That is
 * "data visible" itself; a script polling the DOM learns it only once the main thread is free to
 * run it (after the page's script evaluation and hydration), and the bench's own clock adds the
 * DevTools protocol's round trip. Both stay in the note beside it.
 */
import type { Page } from "playwright-core";
import { percentile } from "../stats";

/** A page whose first row has not shown within this long counts as broken, not slow. */
export const FIRST_ROW_TIMEOUT_MS = 30_000;
/**
 * How long after the row is seen the bench waits for its Element Timing entry. The browser queues
 * it after the frame that painted the row, which has happened by the time a polled check saw the
 * row; a second is ample. A page whose row carries no `elementtiming` never gets one (painted n/a).
 */
export const PAINT_ENTRY_TIMEOUT_MS = 1_000;
/**
 * How long a sample waits for the page before it to fall quiet. A hydrated console page asks the
 * server for more right after the row (its other queries, Next.js's prefetch of the links in view);
 * polls every few seconds leave idle gaps far sooner than this, so reaching it means a page that
 * never settles, and the next sample goes ahead rather than hanging the run.
 */
export const SETTLE_TIMEOUT_MS = 10_000;

export interface FirstRowSample {
  /**
   * The row's figure: navigation start → the row's text painted (Element Timing's `renderTime` of
   * the `elementtiming` element holding the text). Absent when the browser reported no such entry.
   */
  paintedMs?: number;
  /** Measured by the bench: its own clock from `page.goto` until a polled check returned the row over CDP. */
  totalMs: number;
  /** responseStart: the server has rendered (store data included) and sends the first byte. */
  ttfbMs: number;
  /** responseEnd: the whole HTML has arrived (streamed rendering ends here). */
  htmlEndMs: number;
  domContentLoadedMs: number;
  /** First contentful paint; absent when the browser did not report one. */
  fcpMs?: number;
  /**
   * performance.now() in the page when a requestAnimationFrame-polled check first found the row text:
   * it runs only once the main thread is free, so it trails the paint by the script work in between.
   */
  rowMs: number;
  /** The document as parsed (decoded) and as it crossed the wire (compressed, headers included). */
  htmlBytes: number;
  htmlWireBytes: number;
  /** Scripts whose response had ended when the row showed: their size, and what of it was not cached. */
  jsBytes: number;
  jsWireBytes: number;
  /**
   * Whether the row's text was already in the server's HTML (outside scripts and tags): yes means the
   * server rendered the data (the prefetch made it), no means the browser fetched it after hydrating.
   */
  rowInHtml: boolean;
  /**
   * When a MutationObserver installed before the document first found the row's text laid out visible
   * (the paint follows; FCP says when the first one was). It runs between parser chunks, so unlike the
   * polled `rowMs` it is not held back by long script tasks (hydration): the gap between the two is
   * main-thread time, not missing data.
   */
  observedMs?: number;
}

interface InPageTiming {
  ttfbMs: number;
  htmlEndMs: number;
  domContentLoadedMs: number;
  fcpMs?: number;
  htmlBytes: number;
  htmlWireBytes: number;
  jsBytes: number;
  jsWireBytes: number;
}

/** window.name carries the expected text across the navigation (it survives same-origin redirects). */
const ROW_NAME_PREFIX = "factline-bench-row:";

/**
 * Installs, for every later navigation of `page`, two observers for the text announced in window.name
 * (see measureFirstRow): a PerformanceObserver of Element Timing entries that stamps when an
 * `elementtiming` element holding the text was first painted, and a MutationObserver that stamps the
 * first moment the text is laid out visible. The latter checks the cheap `textContent` first (no
 * layout) and `innerText` (which lays out) only once the text is somewhere in the document, so
 * parsing is barely disturbed. Pages opened without an announced text (e.g. /live) get neither.
 */
export async function observeRows(page: Page): Promise<void> {
  await page.addInitScript((prefix: string) => {
    if (!window.name.startsWith(prefix)) return;
    const text = window.name.slice(prefix.length);
    type Stamps = { __firstRowObservedAt?: number; __firstRowPaintedAt?: number };
    // Element Timing is not in lib.dom's types; the entry's fields used here.
    type ElementEntry = PerformanceEntry & { renderTime: number; loadTime: number; element: Element | null };
    if (PerformanceObserver.supportedEntryTypes?.includes("element")) {
      const painted = new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as ElementEntry[]) {
          if (!entry.element?.textContent?.includes(text)) continue;
          // renderTime is 0 only for images without Timing-Allow-Origin; text always has it.
          const at = entry.renderTime || entry.loadTime;
          const stamps = window as unknown as Stamps;
          if (stamps.__firstRowPaintedAt === undefined || at < stamps.__firstRowPaintedAt)
            stamps.__firstRowPaintedAt = at;
        }
      });
      painted.observe({ type: "element", buffered: true });
    }
    const observer = new MutationObserver(() => {
      const body = document.body;
      if (!body?.textContent?.includes(text) || !body.innerText.includes(text)) return;
      (window as unknown as Stamps).__firstRowObservedAt = performance.now();
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  }, ROW_NAME_PREFIX);
}

/**
 * Opens `url` and waits until `text` is visible on it; returns the bench's time and the page's clocks.
 * The page before (the previous sample's) is first given time to finish what it asks after its row
 * ("network idle": no request for 500 ms): a user opens one page, not a page every few hundred
 * milliseconds while the last one's hydration requests are still being answered. Back to back, the
 * server rendered the new page beside the old one's after-hydration calls and prefetches, and that
 * work, not the page's own, was most of the TTFB (docs/performance.md, "Console first row: where
 * the time went").
 */
export async function measureFirstRow(page: Page, url: string, text: string): Promise<FirstRowSample> {
  await page.waitForLoadState("networkidle", { timeout: SETTLE_TIMEOUT_MS }).catch(() => {});
  await page.evaluate((name) => (window.name = name), ROW_NAME_PREFIX + text);
  const t0 = performance.now();
  const response = await page.goto(url, { waitUntil: "commit" });
  // The predicate hands back the page's clock at the first frame it holds: the row's in-page time.
  const seen = await page.waitForFunction(
    (t) => (document.body?.innerText.includes(t) ? performance.now() : false),
    text,
    { polling: "raf", timeout: FIRST_ROW_TIMEOUT_MS },
  );
  const totalMs = performance.now() - t0;
  const rowMs = (await seen.jsonValue()) as number;
  await seen.dispose();
  const timing = await page.evaluate((rowAt): InPageTiming => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const fcp = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
    const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
      (r) => (r.initiatorType === "script" || /\.m?js(\?|$)/.test(r.name)) && r.responseEnd <= rowAt,
    );
    return {
      ttfbMs: nav.responseStart,
      htmlEndMs: nav.responseEnd,
      // Before DOMContentLoaded has fired its start is 0; that case reads as "after the row".
      domContentLoadedMs: nav.domContentLoadedEventStart || Number.NaN,
      fcpMs: fcp?.startTime,
      htmlBytes: nav.decodedBodySize,
      htmlWireBytes: nav.transferSize,
      jsBytes: scripts.reduce((n, r) => n + r.decodedBodySize, 0),
      jsWireBytes: scripts.reduce((n, r) => n + r.transferSize, 0),
    };
  }, rowMs);
  // The paint entry is delivered after the frame that painted the row, so it may trail the polled check.
  const painted = await page
    .waitForFunction(() => (window as unknown as { __firstRowPaintedAt?: number }).__firstRowPaintedAt, undefined, {
      timeout: PAINT_ENTRY_TIMEOUT_MS,
    })
    .then(async (handle) => {
      const at = (await handle.jsonValue()) as number;
      await handle.dispose();
      return at;
    })
    .catch(() => undefined);
  const observedMs = await page.evaluate(() => {
    window.name = ""; // the next page (e.g. /live) is not watched
    return (window as unknown as { __firstRowObservedAt?: number }).__firstRowObservedAt;
  });
  const html = (await response?.text().catch(() => "")) ?? "";
  return { paintedMs: painted, totalMs, rowMs, ...timing, rowInHtml: htmlText(html).includes(text), observedMs };
}

/** The text a reader of the HTML would see: scripts, styles and tags removed (attributes such as links too). */
export function htmlText(html: string): string {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>/g, " ");
}

/**
 * A sample's figure: when the row was painted, or — from a browser that reported no Element Timing
 * entry for it — when the polled check saw it (later than the paint, never earlier); describeBreakdown
 * says how many samples had a painted time.
 */
export function firstRowMs(sample: FirstRowSample): number {
  return sample.paintedMs ?? sample.rowMs;
}

/**
 * The medians of a page's samples as one line for the row's note, e.g.
 * "row painted 250 ms (Element Timing in 3 of 3), seen by a polled check 330, by the bench 370; medians in
 * the page: TTFB 180 · HTML end 190 · DCL 230 · FCP 240 · row laid out 245 ms; HTML 48 kB (9 kB on the wire),
 * JS 310 kB before the polled row (0 kB on the wire); row in the server's HTML 3 of 3". The JS on the
 * wire is 0 when the browser cache served it.
 */
export function describeBreakdown(samples: FirstRowSample[]): string {
  if (samples.length === 0) return "no samples";
  const med = (pick: (s: FirstRowSample) => number | undefined) => {
    const values = samples.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length > 0 ? percentile(values, 50) : undefined;
  };
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(0));
  const kb = (v: number | undefined) => (v === undefined ? "n/a" : (v / 1000).toFixed(0));
  const painted = samples.filter((s) => s.paintedMs !== undefined).length;
  return (
    `row painted ${ms(med((s) => s.paintedMs))} ms (Element Timing in ${painted} of ${samples.length}` +
    `${painted < samples.length ? "; the others' figure is the polled time" : ""}),` +
    ` seen by a polled check ${ms(med((s) => s.rowMs))}, by the bench ${ms(med((s) => s.totalMs))};` +
    ` medians in the page: TTFB ${ms(med((s) => s.ttfbMs))} · HTML end ${ms(med((s) => s.htmlEndMs))}` +
    ` · DCL ${ms(med((s) => s.domContentLoadedMs))} · FCP ${ms(med((s) => s.fcpMs))}` +
    ` · row laid out ${ms(med((s) => s.observedMs))} ms; HTML ${kb(med((s) => s.htmlBytes))} kB` +
    ` (${kb(med((s) => s.htmlWireBytes))} kB on the wire), JS ${kb(med((s) => s.jsBytes))} kB before the polled row` +
    ` (${kb(med((s) => s.jsWireBytes))} kB on the wire); row in the server's HTML` +
    ` ${samples.filter((s) => s.rowInHtml).length} of ${samples.length}`
  );
}
