// Facts published over gRPC show up on the overview and the namespace page; the header works on
// every page (store status, "/" to the go-to box).
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { keepPublishing, publishFacts, uniqueName, type Published } from "./support/publish";

e2eDescribe("overview and namespace pages", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-overview");
  let browser: TestBrowser;
  let facts: Published[];

  beforeAll(async () => {
    browser = await openBrowser();
    facts = await publishFacts(inject("storeUrl"), [
      { ns, type: "UserCreated", version: 1, payload: { name: "Ada" } },
      { ns, type: "UserCreated", version: 2, payload: { name: "Grace" } },
      { ns, type: "UserRenamed", version: 1, payload: { name: "Ada L." } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("carries the console's icon, served from public/", async () => {
    const html = await (await fetch(`${base}/`)).text();
    const links = [...html.matchAll(/<link rel="icon" href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(expect.arrayContaining(["/favicon.svg", "/favicon.ico"]));
    const svg = await fetch(`${base}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(await svg.text()).toContain("<svg");
    const ico = await fetch(`${base}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(new Uint8Array(await ico.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0, 0, 1, 0]));
  });

  it("lists the namespace with its types, fact count and latest serial", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/`);
    const row = page.locator('[data-testid="namespace-table"] tr', { hasText: ns });
    await row.waitFor();
    expect(await row.locator("th").textContent()).toBe(ns);
    const text = await row.textContent();
    expect(text).toContain("UserCreated");
    expect(text).toContain("UserRenamed");
    // three facts in the namespace; the last serial links to the newest of them
    await expect.poll(() => row.locator("td.tabular").first().textContent()).toBe("3");
    expect(await row.locator(`a[href="/facts/${facts[2].serial}"]`).count()).toBe(1);
    // the store's identity
    expect(await page.locator('[data-testid="store-identity"]').textContent()).toContain(inject("storeUrl"));
    expect(await page.locator('[data-testid="store-indicator"]').textContent()).toMatch(/serial/);
    expect(errors).toEqual([]);
  });

  it("shows a namespace's types and versions with counts, and its recent facts", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/namespaces/${encodeURIComponent(ns)}`);
    const types = page.locator('[data-testid="type-table"]');
    await types.waitFor();
    const text = (await types.textContent()) ?? "";
    expect(text).toMatch(/UserCreated\s*2/);
    expect(text).toContain("version 1");
    expect(text).toContain("version 2");
    const recent = page.locator('[data-testid="recent-facts"] tbody tr');
    await expect.poll(() => recent.count()).toBe(3);
    // newest first
    expect(await recent.first().locator("a").first().getAttribute("href")).toBe(`/facts/${facts[2].serial}`);
  });

  it("shows the store-wide rate as facts arrive", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/`);
    const value = page.getByTestId("store-rate-value");
    await value.waitFor();
    const publisher = keepPublishing(inject("storeUrl"), uniqueName("e2e-overview-rate"), 100);
    try {
      // About 100 facts/s; the figure averages 10 s, so after a few seconds it is well above 10.
      await expect
        .poll(async () => Number((await value.textContent())?.replace(/,/g, "")), { timeout: 15_000 })
        .toBeGreaterThan(10);
      expect(await page.getByTestId("store-rate-chart").locator("rect").count()).toBe(60);
    } finally {
      await publisher.stop();
    }
    expect(errors).toEqual([]);
  });

  it("goes to a serial from the header box, focused with the / key", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.locator('[data-testid="namespace-table"]').waitFor();
    await hydrated(page);
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("goto-input");
    await page.keyboard.type(String(facts[0].serial));
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/facts/${facts[0].serial}`);
    await page.locator('[data-testid="fact-title"]').waitFor();
    expect(await page.locator('[data-testid="fact-title"]').textContent()).toBe(`${ns} / UserCreated v1`);
  });
});
