/**
 * Console: time to first row in Chromium for the overview, a namespace page and a fact page on the
 * seeded store, and the real /live page watching while the store takes 1,000 facts/s: its JS heap
 * over time (start, max, end, slope), whether every fact reached the page, and how fast the page
 * still answers a click. Parts of the console that do not exist yet are reported as "not available
 * yet" instead of failing the run.
 */
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { publish } from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import type { BenchContext } from "../context";
import { buildConsole, buildState, consoleMissing, startConsole } from "../env/console";
import { repoRoot } from "../env/store";
import { makeFacts, TARGET_NAMESPACE } from "../facts";
import { CpuMeter } from "../measure";
import {
  describeBreakdown,
  FIRST_ROW_TIMEOUT_MS,
  firstRowMs,
  measureFirstRow,
  observeRows,
  type FirstRowSample,
} from "./console-timing";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** The live view is fed at the rate: 1,000 facts/s, published 100 per 100 ms. */
const LIVE_RATE = 1_000;
const LIVE_BATCH = 100;
/** Heap samples while the live view runs: often enough to see a slope, rarely enough to not disturb. */
const HEAP_SAMPLE_MS = 5_000;
/**
 * The slope is taken after this: the 5,000-fact buffer fills within 5 s at 1,000 facts/s, and the
 * JIT and the page's caches settle in the first seconds. Growth after it is what "not flat" means.
 */
const WARMUP_MS = 20_000;
/** After publishing stops, the page gets this long to show the last facts (batched every 150 ms). */
const DRAIN_MS = 10_000;
/** Pause/resume clicks timed at the end, while facts still stream in. */
const CLICKS = 5;

export async function consoleScenario(ctx: BenchContext): Promise<void> {
  const skip = (name: string, reason: string) => ctx.results.skip("Console", name, reason);
  const missing = consoleMissing();
  const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (missing) return skipAll(skip, `not available yet: ${missing}`);
  if (!existsSync(chromiumPath)) return skipAll(skip, `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const state = buildState();
  if (state !== "fresh") {
    if (!ctx.opts.buildConsole)
      return skipAll(skip, `not measured: console build ${state}; run with --build-console (next build takes minutes)`);
    ctx.log(`console: next build (${state} build)…`);
    try {
      await buildConsole();
    } catch (err) {
      return skipAll(skip, `not available yet: the console does not build (${(err as Error).message.split("\n")[0]})`);
    }
  }

  const seeded = await ctx.seeded();
  const server = await startConsole(seeded.store.url);
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-bench-chromium-"));
  let browser: BrowserContext | undefined;
  try {
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage();
    const someId = seeded.sampleIds[Math.floor(seeded.sampleIds.length / 2)];
    // "First row" = the first piece of store data visible on the page, whatever markup shows it.
    const pages = [
      { key: "overview", name: "overview: first namespace row", url: "/", text: TARGET_NAMESPACE },
      {
        key: "namespace",
        name: `namespace page (${TARGET_NAMESPACE}): first type row`,
        url: `/namespaces/${TARGET_NAMESPACE}`,
        text: "Type0",
      },
      { key: "fact", name: "fact page by id: the fact shown", url: `/facts/id/${someId}`, text: someId },
    ];
    await observeRows(page);
    for (const p of pages) {
      try {
        await measureFirstRow(page, server.url + p.url, p.text); // warm-up: server caches, browser cache
        const runs: FirstRowSample[] = [];
        for (let i = 0; i < ctx.opts.reps; i++) runs.push(await measureFirstRow(page, server.url + p.url, p.text));
        const samples = runs.map(firstRowMs);
        ctx.results.add({
          id: `console.${p.key}.firstRow`,
          scenario: "Console",
          name: p.name,
          system: "factline console",
          unit: "ms",
          higherIsBetter: false,
          samples,
          client: "Chromium (headless) via playwright-core",
          note:
            `${seeded.scale.toLocaleString("en")} facts in the store; navigation start → data painted; ` +
            describeBreakdown(runs),
        });
      } catch (err) {
        skip(p.name, `failed: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    await liveHeap(ctx, page, server.url, seeded.store.url, seeded.store.pid, skip);
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
    await fs.rm(userDataDir, { recursive: true, force: true });
  }
}

const LIVE = "live view at 1,000 facts/s";

function skipAll(skip: (name: string, reason: string) => void, reason: string): void {
  for (const name of ["time to first row (overview, namespace, fact page)", LIVE]) skip(name, reason);
}

interface HeapSample {
  atMs: number;
  /** What the page's JS heap holds at that moment, garbage included (what the tab costs). */
  usedMb: number;
  /** After a forced collection: what the page keeps. A leak shows as this growing. */
  retainedMb: number;
}

/**
 * The real /live page, watching a namespace of its own from now, while this process publishes
 * 1,000 facts/s into it. The JS heap is sampled over CDP every HEAP_SAMPLE_MS.
 */
async function liveHeap(
  ctx: BenchContext,
  page: Page,
  consoleUrl: string,
  storeUrl: string,
  storePid: number,
  skip: (name: string, reason: string) => void,
): Promise<void> {
  const livePage = ["live/page.tsx", "(live)/live/page.tsx"].some((p) => existsSync(path.join(repoRoot, "app", p)));
  if (!livePage) return skip(LIVE, "not available yet: no live view (app/live/page.tsx)");
  const ns = `bench-live-view-${Date.now()}`;
  await page.goto(`${consoleUrl}/live?ns=${ns}`, { waitUntil: "load" });
  try {
    // Live = the backend's subscription is up and caught up: nothing published from here is missed.
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: FIRST_ROW_TIMEOUT_MS });
  } catch {
    return skip(LIVE, `failed: /live did not report "live" within ${FIRST_ROW_TIMEOUT_MS / 1000} s`);
  }
  const cdp = await page.context().newCDPSession(page);
  const mb = (bytes: number) => bytes / 2 ** 20;
  const t0 = performance.now();
  const sample = async (): Promise<HeapSample> => {
    const atMs = performance.now() - t0;
    const used = (await cdp.send("Runtime.getHeapUsage")).usedSize;
    await cdp.send("HeapProfiler.collectGarbage");
    const retained = (await cdp.send("Runtime.getHeapUsage")).usedSize;
    return { atMs, usedMb: mb(used), retainedMb: mb(retained) };
  };

  const samples: HeapSample[] = [await sample()];
  const conn = new GrpcConnection(storeUrl);
  const meter = new CpuMeter({ storePid, postmasterPid: ctx.postgres.postmasterPid });
  const seconds = ctx.opts.consoleLiveSeconds;
  ctx.log(`console: /live for ${seconds} s at ${LIVE_RATE} facts/s, heap every ${HEAP_SAMPLE_MS / 1000} s`);
  let published = 0;
  const clicks: number[] = [];
  try {
    await meter.measure(async () => {
      const end = performance.now() + seconds * 1000;
      // Sampling runs beside the publisher, so a slow CDP call never delays the 1,000 facts/s.
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await new Promise((r) => setTimeout(r, HEAP_SAMPLE_MS));
          if (sampling) samples.push(await sample());
        }
      })();
      const publisher = (async () => {
        while (performance.now() < end) {
          const tick = performance.now();
          await publish(conn, makeFacts(LIVE_BATCH, { ns, type: "Ticked" }));
          published += LIVE_BATCH;
          await new Promise((r) =>
            setTimeout(r, Math.max(0, (LIVE_BATCH / LIVE_RATE) * 1000 - (performance.now() - tick))),
          );
        }
      })();
      // Near the end, while facts still stream in: does the page still answer a click at once?
      await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - CLICKS * 2_000)));
      for (let i = 0; i < CLICKS && performance.now() < end; i++) clicks.push(await pauseResumeMs(page));
      await publisher;
      sampling = false;
      await sampler;
      return { ops: published };
    });
  } finally {
    conn.close();
  }
  const shown = await receivedBy(page, published, DRAIN_MS);
  samples.push(await sample());

  const common = {
    scenario: "Console",
    system: "factline console",
    higherIsBetter: false,
    client: "Chromium (headless) via playwright-core; publisher: lean HTTP/2 gRPC",
  } as const;
  const used = samples.map((s) => s.usedMb);
  const retained = samples.map((s) => s.retainedMb);
  const settled = samples.filter((s) => s.atMs >= WARMUP_MS);
  const slope = slopePerMinute(settled);
  const series = `every ${HEAP_SAMPLE_MS / 1000} s: ${used.map((x) => x.toFixed(0)).join(" ")} MB`;
  ctx.results.add({
    ...common,
    id: "console.live.heapMax",
    name: `${LIVE}: JS heap, max over ${seconds} s`,
    unit: "MB",
    // The figure is the highest sample: a leak shows there, not in a median.
    samples: [Math.max(...used)],
    series: used,
    cpu: meter.share(),
    note: `used heap (garbage included) ${series}`,
  });
  ctx.results.add({
    ...common,
    id: "console.live.heapStart",
    name: `${LIVE}: JS heap at the start (kept, after GC)`,
    unit: "MB",
    samples: [retained[0]],
    note: "the page open and live, before the first fact",
  });
  ctx.results.add({
    ...common,
    id: "console.live.heapEnd",
    name: `${LIVE}: JS heap at the end (kept, after GC)`,
    unit: "MB",
    samples: [retained[retained.length - 1]],
    series: retained,
    note: `kept heap every ${HEAP_SAMPLE_MS / 1000} s: ${retained.map((x) => x.toFixed(1)).join(" ")} MB`,
  });
  ctx.results.add({
    ...common,
    id: "console.live.heapSlope",
    name: `${LIVE}: kept-heap slope after ${WARMUP_MS / 1000} s`,
    unit: "MB/min",
    samples: [slope],
    note: `least squares over ${settled.length} samples; flat is about 0 (a 5,000-fact buffer is a few MB in all)`,
  });
  ctx.results.add({
    ...common,
    id: "console.live.delivered",
    name: `${LIVE}: facts that reached the page`,
    unit: "%",
    higherIsBetter: true,
    samples: [published > 0 ? (100 * shown) / published : 0],
    note: `${shown.toLocaleString("en")} of ${published.toLocaleString("en")} published (the page's received count)`,
  });
  if (clicks.length > 0) {
    ctx.results.add({
      ...common,
      id: "console.live.clickMs",
      name: `${LIVE}: click Pause/Resume → badge updated`,
      unit: "ms",
      samples: clicks,
      note: "while facts stream in, near the end of the run",
    });
  }
}

/** One Pause click and one Resume click, each until the badge says so; the slower of the two. */
async function pauseResumeMs(page: Page): Promise<number> {
  const timed = async (button: string, state: string) => {
    const t = performance.now();
    await page.getByRole("button", { name: button, exact: true }).click();
    await page.locator(`[data-testid="live-status"][data-status="${state}"]`).waitFor({ timeout: 10_000 });
    return performance.now() - t;
  };
  const pause = await timed("Pause", "paused");
  await new Promise((r) => setTimeout(r, 500));
  const resume = await timed("Resume", "live");
  await new Promise((r) => setTimeout(r, 500));
  return Math.max(pause, resume);
}

/** The page's own "N received" once it reaches `expected`, or whatever it says after `waitMs`. */
async function receivedBy(page: Page, expected: number, waitMs: number): Promise<number> {
  const read = () =>
    page
      .getByTestId("live-counts")
      .textContent()
      .then((t) => Number((t ?? "").split(" ")[0].replace(/,/g, "")) || 0);
  const deadline = performance.now() + waitMs;
  let received = await read();
  while (received < expected && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    received = await read();
  }
  return received;
}

/** Least-squares slope of the kept heap in MB per minute; 0 with fewer than two samples. */
function slopePerMinute(samples: HeapSample[]): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.atMs / 60_000);
  const ys = samples.map((s) => s.retainedMb);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}
