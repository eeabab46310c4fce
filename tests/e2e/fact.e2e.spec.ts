// One fact at /facts/<serial>: header fields, the payload exactly as stored in a tree, neighbours,
// the aggregate's history; /facts/id/<uuid> leads there; unknown serials are a 404; a 5 MB
// payload opens without blocking the page.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

/**
 * Rendering 5 MB into the DOM, or highlighting it in one go, blocks for seconds; the lazy tree
 * stays far below this even on a slow CI machine.
 */
const MAX_LONG_TASK_MS = 1_000;

e2eDescribe("fact page", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-fact");
  const agg = randomUUID();
  let browser: TestBrowser;
  let facts: Published[];

  beforeAll(async () => {
    browser = await openBrowser();
    facts = await publishFacts(inject("storeUrl"), [
      {
        ns,
        type: "AccountOpened",
        version: 2,
        aggIds: [agg],
        meta: { tenant: "acme" },
        payload: '{"owner":"Ada","limit":12345678901234567890,"tags":["a","b"]}',
      },
      { ns, type: "AccountOpened", version: 2, aggIds: [randomUUID()], payload: { owner: "Grace" } },
      { ns, type: "AccountClosed", version: 1, aggIds: [agg], payload: { reason: "moved" } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("shows the header fields, the exact payload as a tree, neighbours and the aggregate's history", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const response = await page.goto(`${base}/facts/${facts[0].serial}`);
    expect(response?.status()).toBe(200);
    await page.locator('[data-testid="fact-title"]').waitFor();
    expect(await page.locator('[data-testid="fact-title"]').textContent()).toBe(`${ns} / AccountOpened v2`);
    const fields = (await page.locator('[data-testid="fact-fields"]').textContent()) ?? "";
    expect(fields).toContain(facts[0].id);
    expect(fields).toContain(agg);
    expect(fields).toContain("tenant=acme");
    expect(await page.locator('[data-testid="fact-published"]').textContent()).toMatch(
      /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC/,
    );
    const bytes = Buffer.byteLength(facts[0].input.payload as string);
    expect(await page.locator('[data-testid="fact-size"]').textContent()).toContain(`(${bytes} bytes)`);
    // the number is shown as stored, not rounded to 12345678901234567000
    const tree = page.locator('[data-testid="json-tree-payload"]');
    expect(await tree.textContent()).toContain("12345678901234567890");
    // the next fact of the same namespace and type
    expect(await page.locator('a[rel="next"]').getAttribute("href")).toBe(`/facts/${facts[1].serial}`);
    // the aggregate's history: this fact and the one closing the account
    const history = page.locator('[data-testid="aggregate-history"] tbody tr');
    await expect.poll(() => history.count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it("collapses, searches and shows the raw payload", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts/${facts[0].serial}`);
    const tree = page.locator('[data-testid="json-tree-payload"]');
    await tree.waitFor();
    expect(await tree.textContent()).toContain('"b"');
    await hydrated(page);
    await page.locator('[data-testid="json-tree-payload"] button[aria-label="Collapse tags"]').click();
    await expect.poll(async () => (await tree.textContent())?.includes('"b"')).toBe(false);
    await page.fill("#json-search-payload", "b");
    await page.press("#json-search-payload", "Enter");
    await expect.poll(() => page.locator('[data-testid="json-search-count"]').first().textContent()).toContain("of");
    expect(await tree.textContent()).toContain('"b"'); // revealed by the search
    await page.getByRole("tab", { name: "Raw" }).first().click();
    expect(await page.locator('[data-testid="json-raw-payload"]').textContent()).toBe(
      '{"owner":"Ada","limit":12345678901234567890,"tags":["a","b"]}',
    );
  });

  it("answers an unknown serial with a 404 page, and a fact id with its serial page", async () => {
    const page = await browser.newPage();
    const missing = await page.goto(`${base}/facts/${facts[2].serial + 1_000_000}`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Nothing here");
    expect((await page.goto(`${base}/facts/not-a-serial`))?.status()).toBe(404);
    expect((await page.goto(`${base}/facts/id/${randomUUID()}`))?.status()).toBe(404);

    await page.goto(`${base}/facts/id/${facts[2].id}`);
    await page.waitForURL(`${base}/facts/${facts[2].serial}`);
    await page.locator('[data-testid="fact-title"]').waitFor();
    expect(await page.locator('[data-testid="fact-title"]').textContent()).toBe(`${ns} / AccountClosed v1`);
  });

  it("opens a 5 MB payload without blocking the page", async () => {
    const items = Array.from({ length: 30_000 }, (_, i) => ({
      i,
      id: randomUUID(),
      label: `item ${i} `.repeat(8),
      nested: { a: [1, 2, 3] },
    }));
    const [big] = await publishFacts(inject("storeUrl"), [
      { ns, type: "Snapshot", payload: { items, tail: "the end" } },
    ]);
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({
        type: "longtask",
        buffered: true,
      });
    });
    await page.goto(`${base}/facts/${big.serial}`);
    await page.locator('[data-testid="json-tree-payload"] [role=treeitem]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="fact-size"]').textContent()).toMatch(/[5-9]\.\d+ MB payload/);
    // only the rows in view exist, not 30,000 items
    expect(await page.locator('[data-testid="json-tree-payload"] [role=treeitem]').count()).toBeLessThan(200);
    // search finds the last item deep inside and reveals it
    await page.fill("#json-search-payload", "item 29999");
    await page.press("#json-search-payload", "Enter");
    await page.locator('[data-testid="json-tree-payload"]', { hasText: "item 29999" }).waitFor();
    const longest = Math.max(
      0,
      ...(await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks)),
    );
    expect(longest).toBeLessThan(MAX_LONG_TASK_MS);
  });
});
