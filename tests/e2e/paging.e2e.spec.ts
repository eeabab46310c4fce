// Keyset paging while facts arrive: loading more never repeats or skips a fact, and facts
// published after the list was loaded appear above it on request, in order.
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import type { Page } from "playwright-core";
import { e2eDescribe, openBrowser, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName } from "./support/publish";

/** More than two pages (500 each), so paging happens. */
const INITIAL = 1_200;
const ARRIVING = 300;

/** Every loaded row's serial, read from the page's own state via the table's scroll area. */
async function loadedSerials(page: Page): Promise<number[]> {
  // The table renders only the rows in view; scroll through it and collect them all.
  return page.evaluate(async () => {
    const el = document.querySelector('[data-testid="fact-table"]') as HTMLElement;
    const seen = new Map<number, number>();
    el.scrollTop = 0;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (const row of el.querySelectorAll("[data-serial]")) {
        const top = new DOMMatrix(getComputedStyle(row).transform).m42;
        seen.set(top, Number(row.getAttribute("data-serial")));
      }
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      el.scrollTop += el.clientHeight;
    }
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  });
}

async function scrollToEnd(page: Page, expectedCount: number): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.evaluate(() => {
          const el = document.querySelector('[data-testid="fact-table"]') as HTMLElement;
          el.scrollTop = el.scrollHeight;
        });
        return page.locator('[data-testid="loaded-count"]').textContent();
      },
      { timeout: 30_000 },
    )
    .toMatch(new RegExp(`^${expectedCount.toLocaleString("en-US")} facts loaded(?!, more)`));
}

e2eDescribe("keyset paging", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-paging");
  let browser: TestBrowser;
  let initial: number[];

  beforeAll(async () => {
    browser = await openBrowser();
    const published = await publishFacts(
      inject("storeUrl"),
      Array.from({ length: INITIAL }, (_, i) => ({ ns, type: "Tick", payload: { i } })),
    );
    initial = published.map((p) => p.serial);
  });
  afterAll(async () => browser?.close());

  it("loads every fact exactly once while new ones arrive, and shows the new ones above on request", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/facts?ns=${ns}`);
    await expect
      .poll(() => page.locator('[data-testid="loaded-count"]').textContent())
      .toMatch(/^500 facts loaded, more available/);

    // Facts arrive after the first page was read …
    const arrived = (
      await publishFacts(
        inject("storeUrl"),
        Array.from({ length: ARRIVING }, (_, i) => ({ ns, type: "Tick", payload: { late: i } })),
      )
    ).map((p) => p.serial);

    // … and do not disturb the pages that follow: no repeats, no gaps, newest first.
    await scrollToEnd(page, INITIAL);
    expect(await loadedSerials(page)).toEqual([...initial].reverse());

    // The header learns of them (status poll) and loads them above the first row.
    const load = page.getByRole("button", { name: "Load newer" });
    await load.waitFor({ timeout: 30_000 });
    while (await load.isVisible()) {
      await load.click();
      await page.waitForTimeout(300);
      if (
        (await page.locator('[data-testid="loaded-count"]').textContent())?.startsWith(
          `${(INITIAL + ARRIVING).toLocaleString("en-US")} facts`,
        )
      )
        break;
    }
    await expect.poll(() => page.locator('[data-testid="loaded-count"]').textContent()).toMatch(/^1,500 facts loaded/);
    expect(await loadedSerials(page)).toEqual([...initial, ...arrived].reverse());
  });
});
