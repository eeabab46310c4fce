// The live view against a real store: facts published over gRPC appear once each, in serial order;
// pause counts what arrives and resume shows it; every FactSpec field and every start can be set in
// the form and lives in the URL; leaving the page, or hiding the tab for long, ends the store-side
// subscription; a store killed and restarted during a watch costs no fact and repeats none.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Page } from "playwright-core";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { InstanceService } from "../../gen/factline/admin/v1/admin_pb";
import { HIDDEN_RELEASE_MS } from "../../lib/browser/live-stream";
import { startEmbeddedPostgres } from "../../store/postgres/embedded";
import { createTestDatabase } from "../support/database";
import { startStore, type RunningStore } from "../support/store";
import { e2eDescribe, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole } from "./support/console";
import { freePort } from "../../scripts/launch/process";
import { allRows, rowCount } from "./support/live";
import { publishFacts, uniqueName, type Published } from "./support/publish";

/**
 * Headless Chromium reports every page as visible, whatever is in front; the page's own view of
 * it (what the live view reads) is set here, with the event a real tab switch fires.
 */
async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

function facts(ns: string, n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({
    ns,
    type: i % 3 === 0 ? "OrderShipped" : "OrderPlaced",
    version: 1,
    payload: { n: offset + i },
  }));
}

e2eDescribe("live view", () => {
  const base = inject("consoleUrl");
  const storeUrl = inject("storeUrl");
  const instance = createClient(InstanceService, createGrpcTransport({ baseUrl: storeUrl || "http://127.0.0.1:1" }));
  let browser: TestBrowser;

  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => browser?.close());

  async function openLive(ns: string) {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/live?ns=${ns}`);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    return { page, errors };
  }

  it("shows 200 facts published over gRPC in serial order, each exactly once", async () => {
    const ns = uniqueName("e2e-live");
    const { page, errors } = await openLive(ns);
    const published: Published[] = [];
    for (let i = 0; i < 10; i++) published.push(...(await publishFacts(storeUrl, facts(ns, 20, i * 20))));
    expect(published).toHaveLength(200);
    await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(200);
    expect(await allRows(page)).toEqual(published.map((f) => f.serial).reverse());

    // A row opens its detail beside the list, with the permalink.
    await page.locator(`[data-serial="${published[199].serial}"]`).click();
    const detail = page.getByTestId("live-detail");
    await expect.poll(() => detail.getByTestId("fact-id").textContent()).toBe(published[199].id);
    expect(await detail.getByRole("link", { name: "Open fact page" }).getAttribute("href")).toBe(
      `/facts/${published[199].serial}`,
    );
    expect(errors).toEqual([]);
  });

  it("keeps receiving while paused, counts what is new, and shows it on resume", async () => {
    const ns = uniqueName("e2e-live-pause");
    const { page, errors } = await openLive(ns);
    const first = await publishFacts(storeUrl, facts(ns, 5));
    await expect.poll(() => rowCount(page)).toBe(5);

    const badge = page.getByTestId("live-status");
    expect(await badge.textContent()).toBe("Live");
    await page.getByRole("button", { name: "Pause", exact: true }).click();
    const more = await publishFacts(storeUrl, facts(ns, 30, 5));
    await expect.poll(() => page.getByTestId("live-new-count").textContent().then(Number)).toBe(30);
    expect(await rowCount(page)).toBe(5); // the list holds still while paused
    // …and the badge says so, not "Live".
    expect(await badge.getAttribute("data-status")).toBe("paused");
    expect(await badge.textContent()).toBe("Paused");

    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await expect.poll(() => rowCount(page)).toBe(35);
    expect(await badge.textContent()).toBe("Live");
    expect(await allRows(page)).toEqual([...first, ...more].map((f) => f.serial).reverse());

    // The text filter narrows the buffered facts.
    await page.getByRole("searchbox", { name: "Filter the list" }).fill("OrderShipped");
    await expect
      .poll(() => rowCount(page))
      .toBe([...first, ...more].filter((f) => f.input.type === "OrderShipped").length);
    expect(errors).toEqual([]);
  });

  it("ends the store-side subscription when the page is left", async () => {
    const stats = () => instance.getInstanceStats({});
    const before = await stats();
    const { page } = await openLive(uniqueName("e2e-live-leave"));
    await expect.poll(async () => (await stats()).liveFollowers).toBeGreaterThan(before.liveFollowers);
    await page.getByRole("link", { name: "Overview" }).click();
    await page.waitForURL(`${base}/`);
    await expect.poll(async () => (await stats()).liveFollowers, { timeout: 10_000 }).toBe(before.liveFollowers);
    expect((await stats()).activeSubscriptions).toBe(before.activeSubscriptions);
  });

  it("stops the subscription on Stop and keeps the list", async () => {
    const stats = () => instance.getInstanceStats({});
    const before = await stats();
    const ns = uniqueName("e2e-live-stop");
    const { page, errors } = await openLive(ns);
    const shown = await publishFacts(storeUrl, facts(ns, 3));
    await expect.poll(() => rowCount(page)).toBe(3);
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.locator('[data-testid="live-status"][data-status="stopped"]').waitFor();
    await expect.poll(async () => (await stats()).liveFollowers, { timeout: 10_000 }).toBe(before.liveFollowers);
    expect(await allRows(page)).toEqual(shown.map((f) => f.serial).reverse());
    expect(errors).toEqual([]);
  });

  it("sets every FactSpec field and the start in the form, and keeps them in the URL", async () => {
    const ns = uniqueName("e2e-live-form");
    const tagged = (n: number, meta: Record<string, string>) => ({
      ns,
      type: "OrderPlaced",
      version: 1,
      meta,
      payload: { n },
    });
    // History: only the first matches tenant=acme and has traceId.
    const history = await publishFacts(storeUrl, [
      tagged(0, { tenant: "acme", traceId: "t0" }),
      tagged(1, { tenant: "other", traceId: "t1" }),
      tagged(2, { tenant: "acme" }),
    ]);
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/live`);
    const form = page.getByRole("form", { name: "What to watch" });
    for (const [id, value] of [
      ["#l-ns", ns],
      ["#l-type", "OrderPlaced"],
      ["#l-meta", "tenant=acme"],
      ["#l-has", "traceId"],
      ["#l-lacks", "test"],
    ]) {
      await form.locator(id).fill(value);
      await form.locator(id).press("Enter");
    }
    await form.getByLabel("Start", { exact: true }).selectOption({ label: "from the beginning" });
    await form.getByRole("button", { name: "Watch", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("from") === "beginning");
    const url = new URL(page.url());
    expect(url.pathname).toBe("/live");
    expect([...url.searchParams]).toEqual([
      ["ns", ns],
      ["type", "OrderPlaced"],
      ["meta", "tenant=acme"],
      ["has", "traceId"],
      ["lacks", "test"],
      ["from", "beginning"],
    ]);
    expect(await page.getByRole("heading", { level: 1 }).locator("..").textContent()).toContain(
      "from the first fact in the store",
    );

    // From the beginning: the matching fact from before, then the matching live ones.
    await expect.poll(() => allRows(page)).toEqual([history[0].serial]);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    const live = await publishFacts(storeUrl, [
      tagged(3, { tenant: "acme", traceId: "t3" }),
      tagged(4, { tenant: "acme", traceId: "t4", test: "yes" }),
      tagged(5, { tenant: "other", traceId: "t5" }),
    ]);
    await expect.poll(() => allRows(page)).toEqual([live[0].serial, history[0].serial]);

    // The form reads back what the URL says (a reload keeps the subscription).
    await page.reload();
    await expect.poll(() => allRows(page)).toEqual([live[0].serial, history[0].serial]);
    expect(await page.getByLabel("Start", { exact: true }).inputValue()).toBe("beginning");
    expect(await page.locator("#l-meta").locator("..").textContent()).toContain("tenant=acme");
    expect(errors).toEqual([]);
  });

  it("starts from a serial, inclusive, as the fact browser's from", async () => {
    const ns = uniqueName("e2e-live-from");
    const history = await publishFacts(storeUrl, facts(ns, 6));
    const page = await browser.newPage();
    await page.goto(`${base}/live?ns=${ns}`);
    const form = page.getByRole("form", { name: "What to watch" });
    await form.getByLabel("Start", { exact: true }).selectOption({ label: "from serial" });
    await form.getByLabel("Start serial (inclusive)").fill(String(history[3].serial));
    await form.getByRole("button", { name: "Watch", exact: true }).click();
    await page.waitForURL(`${base}/live?ns=${ns}&from=${history[3].serial}`);
    await expect
      .poll(() => allRows(page))
      .toEqual(
        history
          .slice(3)
          .map((f) => f.serial)
          .reverse(),
      );
  });

  it("says what to fix for a bad start, in the URL or in the form, and watches nothing", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/live?from=-5&fromDate=2025-02-30`);
    const listed = page.getByTestId("live-url-errors");
    await listed.waitFor();
    expect(await listed.locator("li").allTextContents()).toEqual([
      'from "-5" is not a start: use a serial (1 or more, like 1042) or beginning',
      'fromDate "2025-02-30" is not a day: write it as YYYY-MM-DD, e.g. 2025-03-31',
    ]);
    expect(await page.getByTestId("live-status").count()).toBe(0);

    await page.goto(`${base}/live?from=12&fromDate=2025-01-01`);
    expect(await page.getByTestId("live-url-errors").textContent()).toContain(
      "from and fromDate are two different starts: keep one",
    );

    await page.goto(`${base}/live`);
    const form = page.getByRole("form", { name: "What to watch" });
    await form.getByLabel("Start", { exact: true }).selectOption({ label: "from serial" });
    await form.getByLabel("Start serial (inclusive)").fill("abc");
    await form.getByRole("button", { name: "Watch", exact: true }).click();
    expect(await page.getByTestId("live-start-error").textContent()).toBe(
      'from "abc" is not a start: use a serial (1 or more, like 1042) or beginning',
    );
    expect(new URL(page.url()).search).toBe("");
    expect(errors).toEqual([]);
  });

  it("gives its connection back when hidden for long, and resumes with no gap and no duplicate", async () => {
    const followers = async () => (await instance.getInstanceStats({})).liveFollowers;
    // Earlier pages' watches end asynchronously: close them and let the store's count settle.
    for (const open of browser.context.pages()) await open.close();
    const settled = async () => {
      for (let last = -1; ; await new Promise((r) => setTimeout(r, 300))) {
        const now = await followers();
        if (now === last) return now;
        last = now;
      }
    };
    const ns = uniqueName("e2e-live-hidden");
    const page = await browser.newPage();
    const errors = pageErrors(page);
    // The page's timers run on Playwright's clock: the 30 s are skipped, not waited for.
    await page.clock.install();
    await page.goto(`${base}/live?ns=${ns}`);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    const watching = await settled();
    expect(watching).toBeGreaterThan(0);
    const shown = await publishFacts(storeUrl, facts(ns, 10));
    await expect.poll(() => rowCount(page)).toBe(10);

    // Hidden for a while: the stream is kept (a quick look at another tab costs nothing)…
    await setTabHidden(page, true);
    await page.clock.fastForward(HIDDEN_RELEASE_MS / 2);
    expect(await page.getByTestId("live-status").getAttribute("data-status")).toBe("live");
    // …hidden for longer than HIDDEN_RELEASE_MS: released, and the store's subscription ends.
    await page.clock.fastForward(HIDDEN_RELEASE_MS / 2 + 1_000);
    await page.locator('[data-testid="live-status"][data-status="hidden"]').waitFor();
    await expect.poll(followers, { timeout: 10_000 }).toBe(watching - 1);

    // Published while nobody watched: shown once visible again, after a marker, none twice.
    const missed = await publishFacts(storeUrl, facts(ns, 15, 10));
    await setTabHidden(page, false);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(26);
    expect(await allRows(page)).toEqual([
      ...missed.map((f) => f.serial).reverse(),
      "marker",
      ...shown.map((f) => f.serial).reverse(),
    ]);
    await expect.poll(followers).toBe(watching);
    await page.close();
    expect(errors).toEqual([]);
  });

  it(
    "resumes after the store is killed and restarted, with no gap, no duplicate and a marker",
    { timeout: 180_000 },
    async () => {
      // A store of its own on a fixed port (so the console finds it again), and a console against it.
      const cleanups: (() => Promise<unknown>)[] = [];
      try {
        let adminUrl = process.env.DATABASE_URL;
        if (!adminUrl) {
          const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "factline-e2e-live-"));
          cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
          const pg = await startEmbeddedPostgres({ dataDir, ephemeral: true });
          cleanups.push(() => pg.stop());
          adminUrl = pg.url;
        }
        const db = await createTestDatabase(adminUrl, "e2e_live_restart");
        cleanups.push(() => db.drop());
        const port = await freePort();
        const start = () => startStore({ databaseUrl: db.url, env: { FACTLINE_STORE_PORT: String(port) } });
        let store: RunningStore = await start();
        cleanups.push(() => store.stop());
        const console_ = await startConsole(store.url);
        cleanups.push(() => console_.stop());

        const ns = uniqueName("e2e-live-restart");
        const page = await browser.newPage();
        const errors = pageErrors(page);
        await page.goto(`${console_.url}/live?ns=${ns}`);
        await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
        const before = await publishFacts(store.url, facts(ns, 50));
        await expect.poll(() => rowCount(page)).toBe(50);

        store.kill();
        await store.stop();
        await page.locator('[data-testid="live-status"][data-status="reconnecting"]').waitFor();
        store = await start();
        const after: Published[] = [];
        for (let i = 0; i < 5; i++) after.push(...(await publishFacts(store.url, facts(ns, 10, 50 + i * 10))));

        // 100 facts and one marker where the stream came back: between the facts before and after.
        await expect.poll(() => rowCount(page), { timeout: 30_000 }).toBe(101);
        const serials = (fs: Published[]) => fs.map((f) => f.serial).reverse();
        expect(await allRows(page)).toEqual([...serials(after), "marker", ...serials(before)]);
        expect(errors).toEqual([]);
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      }
    },
  );
});
