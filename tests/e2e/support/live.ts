/** Reading the live view's list from a test: its rows as the user sees them, top to bottom. */
import type { Page } from "playwright-core";

/**
 * Every row in the (virtualized) list, top to bottom — a fact's serial, or "marker" for a
 * reconnect marker: scrolls through it and records each row by its position, so a fact shown
 * twice would appear twice.
 */
export async function allRows(page: Page): Promise<(number | "marker")[]> {
  return page.evaluate(async () => {
    const grid = document.querySelector<HTMLElement>('[data-testid="live-list"]')!;
    const byPosition = new Map<number, number | "marker">();
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let top = 0; ; top += grid.clientHeight / 2) {
      grid.scrollTop = top;
      await frame();
      for (const row of grid.querySelectorAll<HTMLElement>("[role=row]")) {
        const y = Number(/translateY\(([\d.]+)px\)/.exec(row.style.transform)?.[1]);
        byPosition.set(y, row.dataset.serial ? Number(row.dataset.serial) : "marker");
      }
      if (top >= grid.scrollHeight) break;
    }
    grid.scrollTop = 0;
    return [...byPosition].sort(([a], [b]) => a - b).map(([, s]) => s);
  });
}

/** How many rows (facts and markers) the live list holds. */
export const rowCount = (page: Page) =>
  page.locator('[data-testid="live-list"]').getAttribute("aria-rowcount").then(Number);
