// Fault case 5 (README "Failures and recovery"): the store's PostgreSQL stops under an open live view
// and fact browser. The pages say so in words — the header's "Database unavailable", the live
// view's notice, a fact list that cannot load — and recover without a reload once PostgreSQL is
// back: the list loads by itself and the live view shows every fact published around the outage
// exactly once, in serial order.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createFactStoreClient } from "../support/client";
import { serialOf } from "../support/facts";
import { startStore, type RunningStore } from "../support/store";
import { FaultCluster } from "../faults/support/cluster";
import { printFigures, Publisher } from "../faults/support/workload";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole, type RunningConsole } from "./support/console";
import { allRows } from "./support/live";
import { uniqueName } from "./support/publish";

/** The header's words for each state (components/shell/StoreIndicator.tsx). */
const indicator = (page: Page) => page.getByTestId("store-indicator");
const SCREENSHOTS = process.env.FACTLINE_E2E_SCREENSHOTS;

e2eDescribe("a database outage under open pages", () => {
  let cluster: FaultCluster;
  let store: RunningStore;
  let console_: RunningConsole;
  let browser: TestBrowser;

  beforeAll(async () => {
    cluster = await FaultCluster.start();
    const db = await cluster.createDatabase("e2e_outage");
    store = await startStore({ databaseUrl: db.url });
    console_ = await startConsole(store.url);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    await store?.stop();
    await cluster?.close();
  });

  it(
    "the pages show the outage and recover by themselves; the live view misses and repeats nothing",
    { timeout: 240_000 },
    async () => {
      const ns = uniqueName("e2e-outage");
      const client = createFactStoreClient(store.url);
      const live = await browser.newPage();
      const facts = await browser.newPage();
      const liveErrors = pageErrors(live);
      const factErrors = pageErrors(facts);
      await live.goto(`${console_.url}/live?ns=${ns}`);
      await live.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      // Reloading would lose this; it must still be there after the recovery.
      await live.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));

      // A publisher as a careful FactCast client: retries each publish with the same facts until acknowledged.
      const publisher = new Publisher(client, {
        ns,
        batch: () => 1 + Math.floor(Math.random() * 3),
        pauseMs: 150,
      }).start();
      await expect.poll(() => publisher.acknowledged.length, { timeout: 20_000 }).toBeGreaterThan(20);
      await facts.goto(`${console_.url}/facts?ns=${ns}`);
      await hydrated(facts);
      await expect.poll(() => indicator(facts).getAttribute("data-state")).toBe("up");

      // The outage: PostgreSQL stops (fast shutdown) and stays down until the pages have said so.
      await cluster.stopFast();
      const down = Date.now();
      await expect
        .poll(() => indicator(live).getAttribute("data-state"), { timeout: 30_000 })
        .toBe("database-unavailable");
      const liveNoticedMs = Date.now() - down;
      expect(await indicator(live).textContent()).toBe("Database unavailable");
      await live.getByTestId("live-outage").waitFor({ timeout: 10_000 });
      // The stream stays open (the store holds it), but the badge does not claim "Live".
      expect(await live.getByTestId("live-status").getAttribute("data-status")).toBe("waiting");
      // A query asked during the outage fails in words, without a reload button being needed.
      await facts.goto(`${console_.url}/facts?ns=${ns}&type=Tick`);
      const notice = facts.getByRole("alert").filter({ hasText: "The facts could not be loaded" });
      await notice.waitFor({ timeout: 30_000 });
      const factsNoticedMs = Date.now() - down;
      expect(await notice.textContent()).toContain("the store's database is unavailable");
      expect(await notice.textContent()).toContain("The console retries by itself");
      expect(await indicator(facts).textContent()).toBe("Database unavailable");
      await facts.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));
      if (SCREENSHOTS) {
        await live.screenshot({ path: `${SCREENSHOTS}/outage-live.png` });
        await facts.screenshot({ path: `${SCREENSHOTS}/outage-facts.png` });
      }

      await cluster.start();
      const up = Date.now();
      // Both pages come back by themselves: the list loads, the header shows the serial again.
      await facts.locator('[data-testid="fact-table"] [role=row][data-serial]').first().waitFor({ timeout: 30_000 });
      const factsRecoveredMs = Date.now() - up;
      expect(await notice.count()).toBe(0);
      await expect.poll(() => indicator(live).getAttribute("data-state"), { timeout: 30_000 }).toBe("up");
      await expect.poll(() => live.getByTestId("live-outage").count()).toBe(0);
      const outageMs = up - down;
      // The first fact acknowledged after the restart reaches the open live view.
      const atRecovery = publisher.acknowledged.length;
      await expect.poll(() => publisher.acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(atRecovery);
      const firstAfter = await serialOf(client, publisher.acknowledged[atRecovery]);
      await live.locator(`[data-testid="live-list"] [data-serial="${firstAfter}"]`).waitFor({ timeout: 30_000 });
      const liveRecoveredMs = Date.now() - up;
      expect(await live.getByTestId("live-status").getAttribute("data-status")).toBe("live");

      // Every fact acknowledged before, during and after the outage is in the live view once, in order.
      await expect.poll(() => publisher.acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(atRecovery + 10);
      await publisher.stop();
      const serials = await Promise.all(publisher.acknowledged.map((id) => serialOf(client, id)));
      const expected = serials.map(Number).sort((a, b) => b - a);
      await expect
        .poll(async () => (await allRows(live)).filter((r) => r !== "marker").length, { timeout: 30_000 })
        .toBe(expected.length);
      const rows = await allRows(live);
      const shown = rows.filter((r): r is number => r !== "marker");
      printFigures("case 5 console outage", {
        acknowledged: expected.length,
        shown: shown.length,
        duplicated: shown.length - new Set(shown).size,
        markers: rows.length - shown.length,
        failedPublishes: publisher.failures.length,
        outageMs,
        liveNoticedMs,
        factsNoticedMs,
        factsRecoveredMs,
        liveRecoveredMs,
      });
      expect(shown).toEqual(expected);
      // Neither page was reloaded.
      for (const page of [live, facts])
        expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);
      expect(publisher.rejections).toEqual([]);
      expect([...liveErrors, ...factErrors]).toEqual([]);
    },
  );
});
