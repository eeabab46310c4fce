// /subscriptions, /subscriptions/<id>, /instances and the overview's card in Chromium (issue #16,
// README "Instances and subscriptions"): two factline instances on one database of their own with
// followers on each, seen through a console that asks only one of them; a follower whose client stops
// reading lags more at every refresh; ending subscriptions from the list and from a subscription's
// page ends the clients' streams; bad URLs are explained in place. A user the store does not let
// operate, and a plain FactCast server: tests/e2e/subscriptions-access.e2e.spec.ts.
import { Code } from "@connectrpc/connect";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client";
import { subscribe, subscriptionRequest, type Subscription } from "../support/client";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { fact, factsMsg } from "../support/facts";
import { startStore, type RunningStore } from "../support/store";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole, type RunningConsole } from "./support/console";
import { uniqueName } from "./support/publish";

/** A short beat: what the pages show is at most one beat old, and the pages poll at 2 s. */
const ENV = { FACTLINE_HEARTBEAT_MS: "500", FACTLINE_LOG: "silent" };
/** Set to a folder to keep screenshots of the pages in both themes, for looking at them. */
const SCREENSHOT_DIR = process.env.FACTLINE_E2E_SCREENSHOT_DIR;

const row = (page: Page, client: string) => page.locator(`[data-testid="subscription-row"][data-client="${client}"]`);
const attr = async (page: Page, client: string, name: string) =>
  (await row(page, client).count()) === 0 ? undefined : row(page, client).getAttribute(name);

e2eDescribe("subscriptions and instances of two store instances on one database", () => {
  let database: TestDatabase;
  let a: RunningStore;
  let b: RunningStore;
  let console_: RunningConsole;
  let browser: TestBrowser;
  const opened: Subscription[] = [];
  const nsA = uniqueName("e2e-ops-a");
  const nsB = uniqueName("e2e-ops-b");
  const agg = crypto.randomUUID();
  let orders: Subscription;
  let billing: Subscription;

  beforeAll(async () => {
    database = await createTestDatabase(inject("pgAdminUrl"), "e2e_operations");
    [a, b] = await Promise.all([
      startStore({ databaseUrl: database.url, env: ENV }),
      startStore({ databaseUrl: database.url, env: ENV }),
    ]);
    // The console asks instance A only; B's subscriptions reach it through the shared database.
    console_ = await startConsole(a.url);
    browser = await openBrowser();
    const follow = (store: RunningStore, clientId: string, input: Parameters<typeof subscribe>[1]) => {
      const s = subscribe(createStoreClient({ url: store.url }).facts, input, { headers: { "fc-id": clientId } });
      opened.push(s);
      return s;
    };
    orders = follow(a, "e2e-orders", {
      specs: [{ ns: nsA, type: "OrderPlaced", version: 2, meta: { tenant: "acme" }, aggIds: [agg] }],
      continuous: true,
    });
    billing = follow(b, "e2e-billing", { specs: [{ ns: nsB }, { ns: nsA, type: "Refund" }], continuous: true });
    const publisher = createStoreClient({ url: b.url }).facts;
    await publisher.publish(
      factsMsg(
        Array.from({ length: 3 }, () =>
          fact({ ns: nsA, type: "OrderPlaced", version: 2, meta: { tenant: "acme" }, aggIds: [agg] }),
        ),
      ),
    );
    await publisher.publish(factsMsg(Array.from({ length: 2 }, () => fact({ ns: nsB, type: "Invoice" }))));
    await orders.waitForFacts(3, 30_000);
    await billing.waitForFacts(2, 30_000);
  }, 180_000);

  afterAll(async () => {
    for (const s of opened) s.cancel();
    await browser?.close();
    await console_?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  }, 60_000);

  it(
    "lists the followers of both instances with their positions, specs and instances",
    { timeout: 60_000 },
    async () => {
      const page = await browser.newPage();
      const errors = pageErrors(page);
      await page.goto(`${console_.url}/subscriptions`);
      await hydrated(page);
      const ordersAt = String(orders.facts()[2].serial);
      const billingAt = String(billing.facts()[1].serial);
      await expect.poll(() => attr(page, "e2e-orders", "data-position"), { timeout: 20_000 }).toBe(ordersAt);
      await expect.poll(() => attr(page, "e2e-billing", "data-position"), { timeout: 20_000 }).toBe(billingAt);
      expect(await attr(page, "e2e-orders", "data-lag")).toBe("0");

      // What each reads, in words; its position links to the fact.
      const reads = row(page, "e2e-orders").getByTestId("subscription-reads");
      expect(await reads.textContent()).toBe(
        `${nsA} / OrderPlaced v2, aggregate ${agg.slice(0, 8)}…, meta tenant=acme`,
      );
      expect(await row(page, "e2e-billing").getByTestId("subscription-reads").innerText()).toBe(
        `${nsB} / any type\n${nsA} / Refund`,
      );
      expect(
        await row(page, "e2e-orders").getByRole("link", { name: ordersAt, exact: true }).getAttribute("href"),
      ).toBe(`/facts/${ordersAt}`);
      expect(await row(page, "e2e-orders").getByTestId("subscription-mode").getAttribute("data-mode")).toBe("follow");
      // Two instances: each follower names its own.
      const instanceOf = (client: string) =>
        row(page, client).locator('a[title^="Only the subscriptions of instance"]').getAttribute("title");
      expect(await instanceOf("e2e-orders")).not.toBe(await instanceOf("e2e-billing"));
      expect(await page.getByTestId("subscriptions-summary").textContent()).toMatch(/^2 subscriptions · store head/);

      // Sorting by a column header is in the URL; a second click turns it round.
      await page.getByTestId("sort-client").click();
      await page.waitForURL(/\/subscriptions\?sort=client&dir=asc$/);
      await expect
        .poll(() =>
          page.locator('[data-testid="subscription-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.client)),
        )
        .toEqual(["e2e-billing", "e2e-orders"]);
      await page.getByTestId("sort-client").click();
      await page.waitForURL(/\/subscriptions\?sort=client$/);
      await expect
        .poll(() =>
          page.locator('[data-testid="subscription-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.client)),
        )
        .toEqual(["e2e-orders", "e2e-billing"]);

      // Filtering by namespace: a spec of billing reads nsA too, so both match; nsB only billing.
      await page.locator("#s-ns").fill(nsB);
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL(new RegExp(`ns=${nsB}`));
      await expect.poll(() => page.locator('[data-testid="subscription-row"]').count()).toBe(1);
      expect(await row(page, "e2e-billing").count()).toBe(1);
      expect(await page.getByTestId("subscriptions-summary").textContent()).toMatch(/matching the filters/);
      expect(errors).toEqual([]);
    },
  );

  it("shows a subscription's specs in full on its page", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${console_.url}/subscriptions?client=e2e-orders`);
    await row(page, "e2e-orders").getByRole("link", { name: "e2e-orders" }).click();
    await page.waitForURL(/\/subscriptions\/[0-9a-f-]{36}$/);
    await page.getByTestId("subscription-specs").waitFor();
    expect(await page.getByTestId("spec-words").textContent()).toBe(
      `${nsA} / OrderPlaced v2, aggregate ${agg}, meta tenant=acme`,
    );
    expect(await page.getByTestId("detail-debug-info").textContent()).toBe("req(conformance)");
    expect(await page.getByTestId("detail-position").getAttribute("href")).toBe(`/facts/${orders.facts()[2].serial}`);
    expect(await page.getByTestId("detail-lag").textContent()).toMatch(/^0\s*facts/);
  });

  it(
    "shows a growing lag for a follower whose client stops reading; ending it ends its stream",
    { timeout: 120_000 },
    async () => {
      const ns = uniqueName("e2e-slow");
      const abort = new AbortController();
      const stream = createStoreClient({ url: b.url }).facts.subscribe(
        subscriptionRequest({ specs: [{ ns }], continuous: true }),
        { signal: abort.signal, headers: { "fc-id": "e2e-slow-consumer" } },
      );
      const reader = stream[Symbol.asyncIterator]();
      await reader.next(); // the call is open; from here on the client reads nothing
      const publisher = createStoreClient({ url: a.url }).facts;
      // Several megabytes each time: far beyond what HTTP/2 windows and socket buffers hold.
      const batch = () =>
        publisher.publish(
          factsMsg(Array.from({ length: 100 }, (_, i) => fact({ ns, payload: { i, pad: "x".repeat(8_000) } }))),
        );
      const page = await browser.newPage();
      try {
        for (let i = 0; i < 8; i++) await batch();
        await page.goto(`${console_.url}/subscriptions`);
        await hydrated(page);
        const lag = async () => Number((await attr(page, "e2e-slow-consumer", "data-lag")) ?? 0);
        await expect.poll(lag, { timeout: 30_000 }).toBeGreaterThan(0);
        const first = await lag();
        for (let i = 0; i < 3; i++) await batch();
        // The page refreshes by itself: no reload.
        await expect.poll(lag, { timeout: 30_000 }).toBeGreaterThanOrEqual(first + 300);
        // The furthest behind comes first (the default order), its sparkline has several beats.
        await expect
          .poll(() => page.locator('[data-testid="subscription-row"]').first().getAttribute("data-client"))
          .toBe("e2e-slow-consumer");
        // Its sparkline holds the beats this tab has seen (lib/browser/lag-history.ts).
        const beats = async () =>
          Number(
            /at the last (\d+) beats/.exec(
              (await row(page, "e2e-slow-consumer").locator("svg[role=img]").getAttribute("aria-label")) ?? "",
            )?.[1] ?? 0,
          );
        await expect.poll(beats).toBeGreaterThanOrEqual(2);
        if (SCREENSHOT_DIR)
          await page.screenshot({ path: `${SCREENSHOT_DIR}/subscriptions-lagging.png`, fullPage: true });

        // Ending it from the list, with a reason; the client's stream ends.
        await row(page, "e2e-slow-consumer").getByTestId("end-subscription").click();
        const dialog = page.getByTestId("end-dialog");
        await dialog.getByTestId("end-reason").fill("x".repeat(501));
        expect(await dialog.getByTestId("end-reason-hint").textContent()).toMatch(/501 characters long/);
        expect(await dialog.getByTestId("end-confirm").isDisabled()).toBe(true);
        await dialog.getByTestId("end-reason").fill("stuck consumer");
        await dialog.getByTestId("end-confirm").click();
        await page.getByTestId("ended-notice").waitFor();
        let error: unknown;
        try {
          for (;;) if ((await reader.next()).done) break;
        } catch (e) {
          error = e;
        }
        // It gets the status after what it had not read, or is cut off when it cannot take it.
        expect(error).toBeDefined();
        await expect.poll(() => row(page, "e2e-slow-consumer").count(), { timeout: 20_000 }).toBe(0);
      } finally {
        abort.abort();
      }
    },
  );

  it(
    "ends a follower from its page; the client gets the operator's words, the page says it has ended",
    { timeout: 60_000 },
    async () => {
      const ns = uniqueName("e2e-end");
      const ending = subscribe(
        createStoreClient({ url: b.url }).facts,
        { specs: [{ ns }], continuous: true },
        { headers: { "fc-id": "e2e-to-end" } },
      );
      opened.push(ending);
      const page = await browser.newPage();
      await page.goto(`${console_.url}/subscriptions?client=e2e-to-end`);
      await row(page, "e2e-to-end").getByRole("link", { name: "e2e-to-end" }).click();
      await page.getByTestId("subscription-specs").waitFor();
      await page.getByTestId("end-subscription").click();
      await page.getByTestId("end-reason").fill("moving it to a new projection");
      await page.getByTestId("end-let-reconnect").check();
      await page.getByTestId("end-confirm").click();
      const end = await ending.ended;
      expect(end.error?.code).toBe(Code.Aborted); // a FactCast client subscribes again
      expect(end.error?.rawMessage).toBe("subscription ended by anonymous: moving it to a new projection");
      await page.getByTestId("ended-notice").waitFor();
      await expect
        .poll(() => page.getByTestId("subscription-gone").textContent(), { timeout: 20_000 })
        .toBe("This subscription has ended");
    },
  );

  it("explains bad URLs in place", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(
      `${console_.url}/subscriptions?sort=speed&dir=up&mode=live&instance=nope&limit=0&client=a&client=b`,
    );
    await hydrated(page);
    const errors = await page.locator('[data-testid="subscriptions-errors"] li').allTextContents();
    expect(errors).toEqual([
      'sort "speed" is unknown: use one of lag, lagTime, started, client, account, delivered, rate, position',
      'dir "up" is unknown: use asc or desc',
      'instance "nope" is not an instance id: use the UUID /instances shows',
      "client is given 2 times: keep one",
      'mode "live" is unknown: use catchup, follow or ephemeral',
      'limit "0" is out of range: show 1 to 1000 subscriptions',
    ]);
    expect(await page.locator('[data-testid="subscription-table"]').count()).toBe(0);
    // The form names the fields at fault.
    expect(await page.locator("#s-mode-hint").textContent()).toMatch(/mode "live" is unknown/);

    await page.goto(`${console_.url}/subscriptions/not-a-subscription`);
    await page.getByTestId("subscription-bad-id").waitFor();
    const unknown = crypto.randomUUID();
    await page.goto(`${console_.url}/subscriptions/${unknown}`);
    expect(await page.getByTestId("subscription-gone").textContent()).toBe("No such subscription is running");
  });

  it("lists both instances on /instances, and the overview counts the subscriptions", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${console_.url}/instances`);
    await hydrated(page);
    await expect.poll(() => page.locator('[data-testid="instance-row"]').count(), { timeout: 20_000 }).toBe(2);
    const rows = page.locator('[data-testid="instance-row"]');
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.ready))).toEqual(["true", "true"]);
    expect(await page.getByText("answering", { exact: true }).count()).toBe(1);
    // orders and billing (the ended ones leave within a beat)
    await expect
      .poll(() => page.getByTestId("instances-summary").textContent(), { timeout: 20_000 })
      .toMatch(/^2 instances · 2 subscriptions/);
    const counts = await page.getByTestId("instance-subscriptions").allTextContents();
    expect(counts.map(Number).sort()).toEqual([1, 1]);
    // An instance's count links to its subscriptions.
    await page.getByTestId("instance-subscriptions").first().click();
    await page.waitForURL(/\/subscriptions\?instance=[0-9a-f-]{36}$/);
    await page.locator('[data-testid="subscription-row"]').first().waitFor();

    await page.goto(`${console_.url}/`);
    await expect.poll(() => page.getByTestId("subscriptions-count").textContent(), { timeout: 20_000 }).toBe("2");
    expect(await page.getByTestId("subscriptions-worst-lag").textContent()).toBe("all caught up");
    expect(errors).toEqual([]);
  });

  it("reads well in both themes", { timeout: 120_000 }, async () => {
    for (const scheme of ["light", "dark"] as const) {
      const themed = await openBrowser({ colorScheme: scheme });
      try {
        const page = await themed.newPage();
        for (const [name, url, ready] of [
          ["subscriptions", "/subscriptions", "subscription-table"],
          ["instances", "/instances", "instance-table"],
          ["subscriptions-bad-url", "/subscriptions?sort=speed&mode=live", "subscriptions-errors"],
        ] as const) {
          await page.goto(`${console_.url}${url}`);
          await hydrated(page);
          await page.getByTestId(ready).waitFor();
          const colors = await page.evaluate(() => {
            const style = getComputedStyle(document.body);
            return { background: style.backgroundColor, color: style.color };
          });
          expect(colors.background).not.toBe(colors.color);
          if (SCREENSHOT_DIR)
            await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${scheme}.png`, fullPage: true });
        }
        await page.goto(`${console_.url}/subscriptions?client=e2e-orders`);
        await row(page, "e2e-orders").getByRole("link", { name: "e2e-orders" }).click();
        await page.getByTestId("subscription-specs").waitFor();
        if (SCREENSHOT_DIR)
          await page.screenshot({ path: `${SCREENSHOT_DIR}/subscription-${scheme}.png`, fullPage: true });
        await page.getByTestId("end-subscription").click();
        await page.getByTestId("end-dialog").waitFor();
        if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/end-dialog-${scheme}.png` });
        await page.keyboard.press("Escape");
      } finally {
        await themed.close();
      }
    }
  });
});
