/**
 * Where a console page's first-row time goes, read from the browser's own clocks (Navigation Timing,
 * Paint Timing, Resource Timing) so a slow row says whether the server render, the HTML transfer,
 * the JS or the hydration bounds it. All in-page times count from the navigation's time origin.
 */
import type { Page } from "playwright-core";
import { percentile } from "../stats";

/** A page whose first row has not shown within this long counts as broken, not slow. */
export const FIRST_ROW_TIMEOUT_MS = 30_000;
/**
 * How long a sample waits for the page before it to fall quiet. A hydrated console page asks the
 * server for more right after the row (its other queries, Next.js's prefetch of the links in view);
 * polls every few seconds leave idle gaps far sooner than this, so reaching it means a page that
 * never settles, and the next sample goes ahead rather than hanging the run.
 */
export const SETTLE_TIMEOUT_MS = 10_000;

export interface FirstRowSample {
  /** Measured by the bench: navigation start → row text visible (the row's figure). */
  totalMs: number;
  /** responseStart: the server has rendered (store data included) and sends the first byte. */
  ttfbMs: number;
  /** responseEnd: the whole HTML has arrived (streamed rendering ends here). */
  htmlEndMs: number;
  domContentLoadedMs: number;
  /** First contentful paint; absent when the browser did not report one. */
  fcpMs?: number;
  /** performance.now() in the page when the row text was first seen (one animation frame's precision). */
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
 * Installs, for every later navigation of `page`, an observer that stamps the first moment the text
 * announced in window.name (see measureFirstRow) is visible. Cheap `textContent` first (no layout);
 * `innerText` (which lays out) only once the text is somewhere in the document, so parsing is barely
 * disturbed. Pages opened without an announced text (e.g. /live) get no observer.
 */
export async function observeRows(page: Page): Promise<void> {
  await page.addInitScript((prefix: string) => {
    if (!window.name.startsWith(prefix)) return;
    const text = window.name.slice(prefix.length);
    const observer = new MutationObserver(() => {
      const body = document.body;
      if (!body?.textContent?.includes(text) || !body.innerText.includes(text)) return;
      (window as unknown as { __firstRowObservedAt?: number }).__firstRowObservedAt = performance.now();
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
  const observedMs = await page.evaluate(() => {
    window.name = ""; // the next page (e.g. /live) is not watched
    return (window as unknown as { __firstRowObservedAt?: number }).__firstRowObservedAt;
  });
  const html = (await response?.text().catch(() => "")) ?? "";
  return { totalMs, rowMs, ...timing, rowInHtml: htmlText(html).includes(text), observedMs };
}

/** The text a reader of the HTML would see: scripts, styles and tags removed (attributes such as links too). */
export function htmlText(html: string): string {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>/g, " ");
}

/**
 * The medians of a page's samples as one line for the row's note, e.g.
 * "TTFB 180 · HTML end 190 · DCL 230 · FCP 240 · row 260 (observed 245) ms; HTML 48 kB (9 kB on the wire), JS 310 kB
 * before the row (0 kB on the wire); row in the server's HTML 3 of 3". The JS on the wire is 0 when the browser cache served it.
 */
export function describeBreakdown(samples: FirstRowSample[]): string {
  if (samples.length === 0) return "no samples";
  const med = (pick: (s: FirstRowSample) => number | undefined) => {
    const values = samples.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length > 0 ? percentile(values, 50) : undefined;
  };
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(0));
  const kb = (v: number | undefined) => (v === undefined ? "n/a" : (v / 1000).toFixed(0));
  return (
    `medians in the page: TTFB ${ms(med((s) => s.ttfbMs))} · HTML end ${ms(med((s) => s.htmlEndMs))}` +
    ` · DCL ${ms(med((s) => s.domContentLoadedMs))} · FCP ${ms(med((s) => s.fcpMs))}` +
    ` · row ${ms(med((s) => s.rowMs))} (observed ${ms(med((s) => s.observedMs))}) ms; HTML ${kb(med((s) => s.htmlBytes))} kB` +
    ` (${kb(med((s) => s.htmlWireBytes))} kB on the wire), JS ${kb(med((s) => s.jsBytes))} kB before the row` +
    ` (${kb(med((s) => s.jsWireBytes))} kB on the wire); row in the server's HTML` +
    ` ${samples.filter((s) => s.rowInHtml).length} of ${samples.length}`
  );
}
