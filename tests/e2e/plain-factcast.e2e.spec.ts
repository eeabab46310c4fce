// Against a store without factline's admin services (FACTLINE_ADMIN_SERVICES=off: what a plain
// FactCast server offers), the console still browses and inspects, and says what it cannot do.
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import type { Page } from "playwright-core";
import { e2eDescribe, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { keepPublishing, publishFacts, uniqueName, type Published } from "./support/publish";

function rowsIn(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid="fact-table"] [role=row][data-serial]', (rows) =>
    rows.map((r) => Number(r.getAttribute("data-serial"))),
  );
}

e2eDescribe("console against a plain FactCast server", () => {
  const base = inject("plainConsoleUrl");
  const ns = uniqueName("e2e-plain");
  let browser: TestBrowser;
  let facts: Published[];

  beforeAll(async () => {
    browser = await openBrowser({ colorScheme: "dark" });
    facts = await publishFacts(inject("plainStoreUrl"), [
      { ns, type: "Registered", version: 1, payload: { who: "Ada" } },
      { ns, type: "Registered", version: 1, payload: { who: "Grace" } },
      { ns, type: "Left", version: 1, payload: { who: "Ada" } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("lists what is unavailable on the overview, and still the namespaces", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/`);
    const notice = page.locator('[data-testid="unavailable-features"] li');
    await notice.first().waitFor();
    expect(await notice.count()).toBeGreaterThan(0);
    await page.locator('[data-testid="namespace-table"] tr', { hasText: ns }).waitFor();
    // no access RPC: the console cannot hide what the account may not use, and says who decides
    await expect
      .poll(() => page.locator('[data-testid="access-unknown"]').textContent())
      .toMatch(/the store decides on each call/);
    expect(await page.getByRole("link", { name: "Audit" }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("shows the store-wide rate, from latestSerial alone", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const value = page.getByTestId("store-rate-value");
    await value.waitFor();
    const publisher = keepPublishing(inject("plainStoreUrl"), uniqueName("e2e-plain-rate"), 100);
    try {
      await expect
        .poll(async () => Number((await value.textContent())?.replace(/,/g, "")), { timeout: 15_000 })
        .toBeGreaterThan(10);
    } finally {
      await publisher.stop();
    }
  });

  it("browses the facts of a namespace", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts?ns=${ns}&order=oldest`);
    await expect.poll(() => rowsIn(page), { timeout: 15_000 }).toEqual(facts.map((f) => f.serial));
    await page.goto(`${base}/facts?ns=${ns}`);
    // newest first may need the admin services; either it works or a notice says why
    await expect
      .poll(
        async () => (await rowsIn(page)).length > 0 || (await page.locator('[data-testid="query-notice"]').count()) > 0,
      )
      .toBe(true);
  });

  it("inspects a fact", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts/${facts[0].serial}`);
    await page.locator('[data-testid="fact-title"]').waitFor();
    expect(await page.locator('[data-testid="fact-title"]').textContent()).toBe(`${ns} / Registered v1`);
    expect(await page.locator('[data-testid="json-tree-payload"]').textContent()).toContain('"Ada"');
    expect(await page.locator('a[rel="next"]').getAttribute("href")).toBe(`/facts/${facts[1].serial}`);
    // finding the previous fact would mean reading the whole namespace: said, not pretended
    // (said once the page knows the store's status: after hydration)
    await expect
      .poll(() => page.locator('[aria-disabled="true"]', { hasText: "Previous" }).getAttribute("title"))
      .toMatch(/admin services/);
  });
});
