// Payloads and meta are data: markup in them is shown as text, never run, in the table and on
// the fact page (React escapes; nothing renders data as HTML).
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import type { Page } from "playwright-core";
import { e2eDescribe, hydrated, openBrowser, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

const SCRIPT = "<script>window.__xss = 'script'; alert('script')</script>";
const IMG = "<img src=x onerror=\"window.__xss = 'img'; alert('img')\">";

/** Fails the test on any dialog or marker the payload would set if it ran. */
function watch(page: Page): () => Promise<string[]> {
  const seen: string[] = [];
  page.on("dialog", (d) => {
    seen.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return async () => {
    const marker = await page.evaluate(() => (window as unknown as { __xss?: string }).__xss);
    return marker ? [...seen, `ran: ${marker}`] : seen;
  };
}

e2eDescribe("markup in facts", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-xss");
  let browser: TestBrowser;
  let fact: Published;

  beforeAll(async () => {
    browser = await openBrowser();
    [fact] = await publishFacts(inject("storeUrl"), [
      { ns, type: "Comment", meta: { note: IMG }, payload: { html: SCRIPT, img: IMG } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("is shown as text on the fact page", async () => {
    const page = await browser.newPage();
    const ran = watch(page);
    await page.goto(`${base}/facts/${fact.serial}`);
    const tree = page.locator('[data-testid="json-tree-payload"]');
    await tree.waitFor();
    expect(await tree.textContent()).toContain(JSON.stringify(SCRIPT));
    expect(await tree.textContent()).toContain(JSON.stringify(IMG));
    expect(await page.locator('[data-testid="fact-fields"]').textContent()).toContain(`note=${IMG}`);
    await hydrated(page);
    await page.getByRole("tab", { name: "Raw" }).first().click();
    expect(await page.locator('[data-testid="json-raw-payload"]').textContent()).toContain(SCRIPT);
    // no element was created from the payload
    expect(await page.locator("main img, main script").count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await ran()).toEqual([]);
  });

  it("is shown as text in the fact table", async () => {
    const page = await browser.newPage();
    const ran = watch(page);
    await page.goto(`${base}/facts?ns=${ns}`);
    const row = page.locator(`[data-serial="${fact.serial}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("<script>window.__xss");
    expect(await row.textContent()).toContain(`note=${IMG}`);
    expect(await page.locator("main img, main script").count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await ran()).toEqual([]);
  });
});
