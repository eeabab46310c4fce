// FACTLINE_CONSOLE_AUTH=oidc in Chromium against a real OpenID provider (tests/support/oidc-provider.ts):
// the authorization-code flow with PKCE through the provider's own login form, the user's access
// token reaching the store (whose access file maps the token's groups to roles, and whose audit
// trail names the user), the token renewed with the refresh token before it expires, and sign-out
// ending both the console's and the provider's session.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient, type StoreClient } from "../../factcast/client";
import { freePort, launchConsole, type LaunchedConsole } from "../../scripts/launch/console";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, factsMsg } from "../support/facts.js";
import { startTestOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import "../support/provided.js";
import { startStore, type RunningStore } from "../support/store.js";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { E2E_DIST_DIR } from "./support/console";

const ACCESS = {
  // Olivia is not listed: her roles come from her token's groups claim.
  accounts: [{ id: "auditor", roles: ["everything"] }],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "everything", read: { include: ["*"] }, write: { include: ["*"] }, audit: true },
  ],
};
const OLIVIA = { id: "olivia", password: "olivia-pw", groups: ["shop-reader"] };

e2eDescribe("signing in with OIDC", () => {
  let dir: string;
  let db: TestDatabase;
  let provider: TestOidcProvider;
  let store: RunningStore;
  let auditor: StoreClient;
  let console_: LaunchedConsole;
  let base: string;
  let browser: TestBrowser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "factline-e2e-oidc-"));
    // The provider must know where the console sends users back to, before the console starts.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startTestOidcProvider({
      users: [OLIVIA],
      redirectUris: [`${base}/login/callback`],
      postLogoutRedirectUris: [`${base}/login?signed-out=1`],
    });
    await writeFile(path.join(dir, "access.json"), JSON.stringify(ACCESS));
    await writeFile(path.join(dir, "secrets.properties"), "factcast.access.secrets.auditor=auditor-pw\n");
    db = await createTestDatabase(inject("pgAdminUrl"), "e2e_oidc");
    store = await startStore({
      databaseUrl: db.url,
      env: {
        FACTLINE_LOG: "silent",
        FACTLINE_ACCESS_FILE: path.join(dir, "access.json"),
        FACTLINE_SECRETS_FILE: path.join(dir, "secrets.properties"),
        FACTLINE_OIDC_ISSUER: provider.issuer,
        FACTLINE_OIDC_AUDIENCE: provider.audience,
      },
    });
    auditor = createStoreClient({ url: store.url, user: "auditor", password: "auditor-pw" });
    await auditor.facts.publish(
      factsMsg([fact({ ns: "shop", type: "OrderPlaced" }), fact({ ns: "hr", type: "Hired" })]),
    );
    console_ = await launchConsole({
      distDir: E2E_DIST_DIR,
      storeUrl: store.url,
      host: "127.0.0.1",
      port,
      env: {
        FACTLINE_CONSOLE_AUTH: "oidc",
        FACTLINE_OIDC_ISSUER: provider.issuer,
        FACTLINE_OIDC_CLIENT_ID: provider.console.clientId,
        FACTLINE_OIDC_CLIENT_SECRET: provider.console.clientSecret,
        // offline_access: this provider issues refresh tokens only for it (like Auth0, Okta, Entra ID).
        FACTLINE_OIDC_SCOPES: "openid profile email groups offline_access",
        FACTLINE_DATA_DIR: dir,
      },
    });
    browser = await openBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    auditor?.close();
    await store?.stop();
    await provider?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** From a signed-out console page through the provider's login form back to the console. */
  async function signInThroughProvider(page: Page, target: string): Promise<void> {
    await page.goto(base + target);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByRole("link", { name: /^Sign in with 127\.0\.0\.1:/ }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator("#username").fill(OLIVIA.id);
    await page.locator("#password").fill(OLIVIA.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(base + target);
    await hydrated(page);
  }

  async function sessionCookie(page: Page): Promise<string> {
    const cookie = (await page.context().cookies(base)).find((c) => c.name === "factline-session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    return `factline-session=${cookie!.value}`;
  }

  const catalog = (cookie: string) =>
    fetch(`${base}/api/factline.console.v1.ConsoleService/GetCatalog`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, cookie },
      body: "{}",
    });

  it("signs in through the provider; the user's token reaches the store, which decides what the user sees", async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await signInThroughProvider(page, "/facts?ns=shop");
    expect(await page.getByTestId("account-name").textContent()).toBe("olivia");
    // The store applied the token's groups: shop, not hr.
    const res = await catalog(await sessionCookie(page));
    expect(((await res.json()) as { namespaces: { ns: string }[] }).namespaces.map((n) => n.ns)).toEqual(["shop"]);
    // No token is readable by the page.
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/factline|eyJ/);
    // The store's audit trail names the OIDC account and how it signed in.
    await expect
      .poll(async () => {
        const { entries } = await auditor.audit.listAuditEntries({
          account: "olivia",
          action: "console.sign-in",
          limit: 1,
        });
        return entries.map((e) => `${e.action} ${e.outcome} ${e.via} ${e.client}`);
      })
      .toEqual(["console.sign-in ok bearer factline-console"]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renews the access token with the refresh token before it expires", async () => {
    await browser.context.clearCookies();
    // A minute and a second: within the console's renewal margin from the start.
    provider.setAccessTokenTtl(61);
    try {
      const refreshes = () =>
        provider
          .tokenGrants()
          .filter((g) => g.clientId === provider.console.clientId && g.grantType === "refresh_token").length;
      const before = refreshes();
      const page = await browser.newPage();
      await signInThroughProvider(page, "/");
      // A second later the token has less than the console's margin left: the next call renews it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const res = await catalog(await sessionCookie(page));
      expect(res.status).toBe(200);
      expect(refreshes()).toBeGreaterThan(before);
      // The renewed token is what goes to the store: the session keeps working.
      expect((await catalog(await sessionCookie(page))).status).toBe(200);
      await page.close();
    } finally {
      provider.setAccessTokenTtl(3600);
    }
  });

  it("signs out of the console and the provider: the old cookie no longer works", async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    await signInThroughProvider(page, "/");
    const cookie = await sessionCookie(page);
    await page.getByTestId("sign-out").click();
    // The provider asks whether to end its session too (rp-initiated logout), then sends the user back.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole("button", { name: /yes/i }).click();
    await page.waitForURL(`${base}/login?signed-out=1`);
    expect((await catalog(cookie)).status).toBe(401);
    // Signing in again goes through the provider's login form again: its session ended too.
    await page.getByRole("link", { name: /^Sign in with/ }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator("#username").waitFor();
    await page.close();
  });

  it("says why a sign-in came back without a session, and never starts one from a forged callback", async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    // No flow of ours: an old, replayed or forged callback URL.
    await page.goto(`${base}/login/callback?code=forged&state=forged`);
    expect(new URL(page.url()).searchParams.get("error")).toBe("expired");
    expect(await page.getByTestId("login-error").textContent()).toMatch(
      /took too long or was opened in another browser/,
    );
    // The user cancels at the provider.
    await page.getByRole("link", { name: /^Sign in with/ }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL((url) => url.origin === base && url.pathname === "/login" && url.search.includes("error="));
    expect(await page.getByTestId("login-error").textContent()).toMatch(/could not sign you in/);
    expect((await page.context().cookies(base)).find((c) => c.name === "factline-session")).toBeUndefined();
    await page.close();
  });
});
