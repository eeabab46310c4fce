// The fact browser: published facts appear, the URL carries the whole query and reproduces it in
// a fresh tab, one-click filters narrow it, and the export covers the whole result.
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import type { Page } from "playwright-core";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { e2eDescribe, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

/** The serials of the table's rendered rows, top to bottom (virtual rows are in index order). */
/** A page's first rows come from the store through the console: a loaded CI machine needs more than poll's 1 s. */
const ROWS_POLL = { timeout: 20_000 };

function rowsIn(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid="fact-table"] [role=row][data-serial]', (rows) =>
    rows.map((r) => Number(r.getAttribute("data-serial"))),
  );
}

e2eDescribe("fact browser", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-browser");
  const agg = randomUUID();
  let browser: TestBrowser;
  let facts: Published[];

  beforeAll(async () => {
    browser = await openBrowser();
    facts = await publishFacts(inject("storeUrl"), [
      { ns, type: "OrderPlaced", version: 1, aggIds: [agg], meta: { tenant: "acme" }, payload: { n: 1 } },
      { ns, type: "OrderPlaced", version: 1, aggIds: [randomUUID()], meta: { tenant: "globex" }, payload: { n: 2 } },
      { ns, type: "OrderShipped", version: 1, aggIds: [agg], meta: { tenant: "acme" }, payload: { n: 3 } },
      { ns, type: "OrderPlaced", version: 1, aggIds: [randomUUID()], meta: { tenant: "acme" }, payload: { n: 4 } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("shows published facts newest first, and oldest first on request", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/facts?ns=${ns}`);
    await expect.poll(() => rowsIn(page), ROWS_POLL).toEqual(facts.map((f) => f.serial).reverse());
    await page.getByRole("link", { name: "Oldest first" }).click();
    await page.waitForURL(/order=oldest/);
    await expect.poll(() => rowsIn(page), ROWS_POLL).toEqual(facts.map((f) => f.serial));
    expect(await page.locator('[data-testid="end-of-result"]').textContent()).toContain("4 facts");
    expect(errors).toEqual([]);
  });

  it("puts a query built in the form into the URL, and the URL reproduces it in a fresh tab", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts`);
    await page.fill("#f-ns", ns);
    await page.press("#f-ns", "Enter");
    await page.fill("#f-type", "OrderPlaced");
    await page.press("#f-type", "Enter");
    await page.fill("#f-meta", "tenant=acme");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((u) => u.searchParams.get("meta") === "tenant=acme");
    const url = new URL(page.url());
    expect(url.searchParams.getAll("ns")).toEqual([ns]);
    expect(url.searchParams.getAll("type")).toEqual(["OrderPlaced"]);
    const expected = [facts[3].serial, facts[0].serial];
    await expect.poll(() => rowsIn(page), ROWS_POLL).toEqual(expected);

    const fresh = await (await openBrowser()).newPage();
    try {
      await fresh.goto(url.toString());
      // A fresh browser's first page on a busy two-core machine can take longer than poll's 1 s default.
      await expect.poll(() => rowsIn(fresh), { timeout: 15_000 }).toEqual(expected);
      // the form shows the query it came from
      expect(await fresh.locator("form[aria-label='Filter facts']").textContent()).toContain("tenant=acme");
    } finally {
      await fresh.context().close();
    }
  });

  it("narrows the query with one click on a row's aggregate id or meta value", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts?ns=${ns}`);
    await expect.poll(() => rowsIn(page), ROWS_POLL).toHaveLength(4);
    await page.locator(`[data-serial="${facts[0].serial}"] button[title="Only aggregate ${agg}"]`).click();
    await page.waitForURL((u) => u.searchParams.get("aggId") === agg);
    await expect.poll(() => rowsIn(page), ROWS_POLL).toEqual([facts[2].serial, facts[0].serial]);
    await page.locator(`[data-serial="${facts[2].serial}"] button[title="Only facts with meta tenant=acme"]`).click();
    await page.waitForURL((u) => u.searchParams.get("meta") === "tenant=acme");
    expect(new URL(page.url()).searchParams.get("aggId")).toBe(agg);
  });

  it("explains an invalid URL parameter instead of querying", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts?ns=${ns}&from=abc`);
    const errors = page.locator('[data-testid="query-errors"]');
    await errors.waitFor();
    expect(await errors.textContent()).toContain('from "abc" is not a serial');
  });

  it("exports the whole result as NDJSON and says so", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts?ns=${ns}&type=OrderPlaced`);
    await expect.poll(() => rowsIn(page), ROWS_POLL).toHaveLength(3);
    expect(await page.locator('[data-testid="export-scope"]').textContent()).toMatch(
      /all 3 facts matching namespace .* type OrderPlaced, oldest first.*not just the rows loaded/,
    );
    const href = await page.locator('[data-testid="export-link"]').getAttribute("href");
    expect(href).toBe(`/api/export?ns=${ns}&type=OrderPlaced`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('[data-testid="export-link"]').click(),
    ]);
    const body = await readFile((await download.path())!, "utf8");
    const lines = body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { header: { meta: { _ser: number } } });
    expect(lines.map((l) => l.header.meta._ser)).toEqual([facts[0].serial, facts[1].serial, facts[3].serial]);
  });
});
