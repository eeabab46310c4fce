// /subscriptions and /instances for users who may see less (issue #16, README "Instances and
// subscriptions"): a user the store does not let operate sees only their own namespaces'
// subscriptions and no end control; a plain FactCast server's console says it reports none of this.
// The two-instance walk through the pages is tests/e2e/subscriptions.e2e.spec.ts.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client";
import { subscribe, type Subscription } from "../support/client";
import { startSecuredStore, type SecuredStore } from "../security/support";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole, type RunningConsole } from "./support/console";

const ENV = { FACTLINE_HEARTBEAT_MS: "500", FACTLINE_LOG: "silent" };
/** Set to a folder to keep screenshots of the pages in both themes, for looking at them. */
const SCREENSHOT_DIR = process.env.FACTLINE_E2E_SCREENSHOT_DIR;

const row = (page: Page, client: string) => page.locator(`[data-testid="subscription-row"][data-client="${client}"]`);

e2eDescribe("who may end a subscription", () => {
  const ACCESS = {
    accounts: [
      { id: "sre", roles: ["operator"] },
      { id: "shopper", roles: ["shop"] },
      { id: "people", roles: ["hr"] },
    ],
    roles: [
      { id: "operator", operate: true, read: { include: ["*"] } },
      { id: "shop", read: { include: ["shop"] } },
      { id: "hr", read: { include: ["hr"] } },
    ],
  };
  const PASSWORDS = { sre: "sre-pw", shopper: "shopper-pw", people: "people-pw" };
  let fx: SecuredStore;
  let shopperConsole: RunningConsole;
  let browser: TestBrowser;
  const opened: Subscription[] = [];

  /** A console calling the store as `account` (its own process: the credentials are its environment). */
  async function consoleAs(account: keyof typeof PASSWORDS): Promise<RunningConsole> {
    const saved = { ...process.env };
    Object.assign(process.env, {
      FACTLINE_STORE_USER: account,
      FACTLINE_STORE_PASSWORD: PASSWORDS[account],
      FACTLINE_CONSOLE_AUTH: "none",
    });
    try {
      return await startConsole(fx.store.url);
    } finally {
      for (const key of ["FACTLINE_STORE_USER", "FACTLINE_STORE_PASSWORD", "FACTLINE_CONSOLE_AUTH"])
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
    }
  }

  beforeAll(async () => {
    const secrets = Object.entries(PASSWORDS)
      .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
      .join("\n");
    fx = await startSecuredStore({ access: ACCESS, secrets, env: ENV, label: "e2e_operations_access" });
    for (const [account, ns] of [
      ["shopper", "shop"],
      ["people", "hr"],
    ] as const)
      opened.push(
        subscribe(
          createStoreClient({ url: fx.store.url, user: account, password: PASSWORDS[account] }).facts,
          { specs: [{ ns }], continuous: true },
          { headers: { "fc-id": `${ns}-follower` } },
        ),
      );
    shopperConsole = await consoleAs("shopper");
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const s of opened) s.cancel();
    await browser?.close();
    await shopperConsole?.stop();
    await fx?.close();
  }, 60_000);

  it("shows a user without operate only their own subscriptions, and no end control", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${shopperConsole.url}/subscriptions`);
    await hydrated(page);
    await row(page, "shop-follower").waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="subscription-row"]').count()).toBe(1);
    expect(await page.getByTestId("end-subscription").count()).toBe(0);
    await row(page, "shop-follower").getByRole("link", { name: "shop-follower" }).click();
    await page.getByTestId("subscription-specs").waitFor();
    expect(await page.getByTestId("end-subscription").count()).toBe(0);
  });
});

e2eDescribe("against a plain FactCast server", () => {
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await openBrowser({ colorScheme: "dark" });
  });
  afterAll(async () => browser?.close());

  it("says the server does not report subscriptions or instances", { timeout: 60_000 }, async () => {
    const base = inject("plainConsoleUrl");
    const page = await browser.newPage();
    const errors = pageErrors(page);
    for (const [path, what] of [
      ["/subscriptions", "subscriptions"],
      ["/instances", "instances"],
    ] as const) {
      await page.goto(`${base}${path}`);
      await expect
        .poll(() => page.getByTestId("operations-unreported").textContent(), { timeout: 20_000 })
        .toBe(`This server does not report its ${what}`);
      if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/plain-${what}-dark.png`, fullPage: true });
    }
    await page.goto(`${base}/`);
    await expect
      .poll(() => page.getByTestId("subscriptions-stat").textContent(), { timeout: 20_000 })
      .toMatch(/not reported by this server/);
    if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/plain-overview-dark.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});
