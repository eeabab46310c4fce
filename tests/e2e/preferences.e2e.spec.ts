// Theme and time zone are remembered across visits, and the server renders the chosen theme
// from the first byte (no flash of the other theme).
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { e2eDescribe, hydrated, openBrowser, type TestBrowser } from "./support/browser";

e2eDescribe("display preferences", () => {
  const base = inject("consoleUrl");
  let browser: TestBrowser;

  beforeAll(async () => {
    browser = await openBrowser({ colorScheme: "light" });
  });
  afterAll(async () => browser?.close());

  it("remembers the theme and renders it on the server", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator("html").getAttribute("data-theme")).toBeNull();
    await hydrated(page);
    await page.getByRole("button", { name: /Dark/ }).click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    // the HTML as served already carries the choice
    const html = await (await page.request.get(`${base}/`)).text();
    expect(html).toMatch(/<html[^>]*data-theme="dark"/);
    await page.reload();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(await background()).toBe(dark);
  });

  it("remembers UTC or local time", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts`);
    await hydrated(page);
    await page.getByRole("button", { name: "Local" }).click();
    await page.reload();
    expect(await page.getByRole("button", { name: "Local" }).getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator('[data-testid="fact-table"] [role=columnheader]').nth(1).textContent()).toMatch(/local/);
    await page.getByRole("button", { name: "UTC" }).click();
  });
});
