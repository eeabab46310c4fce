/**
 * Console: time to first row in Chromium for the overview, a namespace page and a fact page on the
 * seeded store, and the live view's JS heap while the store takes 1,000 facts/s. Parts of the
 * console that do not exist yet are reported as "not available yet" instead of failing the run.
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

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** A page whose first row has not shown within this long counts as broken, not slow. */
const FIRST_ROW_TIMEOUT_MS = 30_000;
/** The live view is fed at the rate: 1,000 facts/s, published 100 per 100 ms. */
const LIVE_RATE = 1_000;
const LIVE_BATCH = 100;
/** Heap samples while the live view runs: often enough to see a slope, rarely enough to not disturb. */
const HEAP_SAMPLE_MS = 5_000;

export async function consoleScenario(ctx: BenchContext): Promise<void> {
  const skip = (name: string, reason: string) => ctx.results.skip("Console", name, reason);
  const missing = consoleMissing();
  const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (missing) return skipAll(skip, `not available yet: ${missing}`);
  if (!existsSync(chromiumPath)) return skipAll(skip, `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const state = buildState();
  if (state !== "fresh") {
    if (!ctx.opts.buildConsole) return skipAll(skip, `not measured: console build ${state}; run with --build-console (next build takes minutes)`);
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
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const someId = seeded.sampleIds[Math.floor(seeded.sampleIds.length / 2)];
    // "First row" = the first piece of store data visible on the page, whatever markup shows it.
    const pages = [
      { key: "overview", name: "overview: first namespace row", url: "/", text: TARGET_NAMESPACE },
      { key: "namespace", name: `namespace page (${TARGET_NAMESPACE}): first type row`, url: `/namespaces/${TARGET_NAMESPACE}`, text: "Type0" },
      { key: "fact", name: "fact page by id: the fact shown", url: `/facts/id/${someId}`, text: someId },
    ];
    for (const p of pages) {
      try {
        await firstRowMs(page, server.url + p.url, p.text); // warm-up: server caches, browser cache
        const samples: number[] = [];
        for (let i = 0; i < ctx.opts.reps; i++) samples.push(await firstRowMs(page, server.url + p.url, p.text));
        ctx.results.add({
          id: `console.${p.key}.firstRow`,
          scenario: "Console",
          name: p.name,
          system: "factline console",
          unit: "ms",
          higherIsBetter: false,
          samples,
          client: "Chromium (headless) via playwright-core",
          note: `${seeded.scale.toLocaleString("en")} facts in the store; navigation start → data visible`,
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

function skipAll(skip: (name: string, reason: string) => void, reason: string): void {
  for (const name of ["time to first row (overview, namespace, fact page)", "live view heap at 1,000 facts/s"]) skip(name, reason);
}

async function firstRowMs(page: Page, url: string, text: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction((t) => document.body?.innerText.includes(t), text, { polling: "raf", timeout: FIRST_ROW_TIMEOUT_MS });
  return performance.now() - t0;
}

async function liveHeap(
  ctx: BenchContext,
  page: Page,
  consoleUrl: string,
  storeUrl: string,
  storePid: number,
  skip: (name: string, reason: string) => void,
): Promise<void> {
  const name = "live view heap at 1,000 facts/s";
  const livePage = ["live/page.tsx", "(live)/live/page.tsx"].some((p) => existsSync(path.join(repoRoot, "app", p)));
  if (!livePage) return skip(name, "not available yet: no live view (app/live/page.tsx)");
  const ns = "bench-live-view";
  await page.goto(`${consoleUrl}/live?ns=${ns}`, { waitUntil: "load" });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const heapMb = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN) / 2 ** 20;
  };
  const conn = new GrpcConnection(storeUrl);
  const samples: number[] = [];
  const meter = new CpuMeter({ storePid, postmasterPid: ctx.postgres.postmasterPid });
  const seconds = ctx.opts.consoleLiveSeconds;
  ctx.log(`console: live view for ${seconds} s at ${LIVE_RATE} facts/s`);
  try {
    await meter.measure(async () => {
      const end = performance.now() + seconds * 1000;
      let nextSample = 0;
      let published = 0;
      while (performance.now() < end) {
        const tick = performance.now();
        await publish(conn, makeFacts(LIVE_BATCH, { ns, type: "Ticked" }));
        published += LIVE_BATCH;
        if (tick >= nextSample) {
          samples.push(await heapMb());
          nextSample = tick + HEAP_SAMPLE_MS;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, (LIVE_BATCH / LIVE_RATE) * 1000 - (performance.now() - tick))));
      }
      return { ops: published };
    });
  } finally {
    conn.close();
  }
  const minutes = seconds / 60;
  const slope = samples.length > 1 ? (samples[samples.length - 1] - samples[0]) / minutes : 0;
  ctx.results.add({
    id: "console.live.heapMax",
    scenario: "Console",
    name: `${name} (max over ${seconds} s)`,
    system: "factline console",
    unit: "MB",
    higherIsBetter: false,
    // The figure is the highest sample: a leak shows there, not in a median.
    samples: [Math.max(...samples)],
    series: samples,
    client: "Chromium (headless) via playwright-core; publisher: lean HTTP/2 gRPC",
    cpu: meter.share(),
    note: `JS heap sampled every ${HEAP_SAMPLE_MS / 1000} s; first ${samples[0]?.toFixed(1)} MB, last ${samples[samples.length - 1]?.toFixed(1)} MB (${slope.toFixed(1)} MB/min)`,
  });
}
