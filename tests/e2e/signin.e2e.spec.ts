// Signing in to the console (README "Signing in"), in Chromium against a store of its own with an
// access file and a secrets file, and a console of its own with FACTLINE_CONSOLE_AUTH unset (so
// the store's access file makes it `store`): signed-out pages and API calls are refused, sign-in
// brings the user back, wrong and unknown credentials look the same, attempts are limited, every
// page carries a nonce CSP, sign-out kills the cookie.
// (OIDC: signin-oidc.e2e.spec.ts; Host/Origin checks and refusing to start open: web-security.e2e.spec.ts.)
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, factsMsg } from "../support/facts.js";
import { createFactStoreClient } from "../support/client.js";
import "../support/provided.js";
import { startStore, type RunningStore } from "../support/store.js";
import { seal } from "../../lib/backend/auth/cookies";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole, type RunningConsole } from "./support/console";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["shop-reader"] },
    { id: "admin", roles: ["everything"] },
    { id: "locked-out", roles: ["shop-reader"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "everything", read: { include: ["*"] }, write: { include: ["*"] }, schemas: { include: ["*"] }, audit: true },
  ],
};
const PASSWORDS = { operator: "operator-pw", admin: "admin-pw", "locked-out": "locked-pw" };
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString("base64")}`;

/** Every page of the console (README "The console"), each of which a signed-out browser must not see. */
const PAGES = ["/", "/namespaces/shop", "/facts?ns=shop", "/facts/1", "/live", "/schemas", "/schemas/validate"];
const API = "/api/factline.console.v1.ConsoleService";
const SCHEMA_API = "/api/factline.console.v1.SchemaService";

e2eDescribe("signing in", () => {
  let dir: string;
  let db: TestDatabase;
  let store: RunningStore;
  let console_: RunningConsole;
  let base: string;
  let browser: TestBrowser;
  let addresses = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "factline-e2e-signin-"));
    await writeFile(path.join(dir, "access.json"), JSON.stringify(ACCESS));
    await writeFile(
      path.join(dir, "secrets.properties"),
      Object.entries(PASSWORDS)
        .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
        .join("\n"),
    );
    db = await createTestDatabase(inject("pgAdminUrl"), "e2e_signin");
    store = await startStore({
      databaseUrl: db.url,
      env: {
        FACTLINE_LOG: "silent",
        FACTLINE_ACCESS_FILE: path.join(dir, "access.json"),
        FACTLINE_SECRETS_FILE: path.join(dir, "secrets.properties"),
      },
    });
    await createFactStoreClient(store.url).publish(
      factsMsg([
        fact({ ns: "shop", type: "OrderPlaced", payload: { total: 1 } }),
        fact({ ns: "billing", type: "Invoice" }),
      ]),
      { headers: { authorization: basic("admin", PASSWORDS.admin) } },
    );
    // FACTLINE_CONSOLE_AUTH unset: the store has an access file, so the console signs users in.
    console_ = await startConsole(store.url, { FACTLINE_DATA_DIR: dir, FACTLINE_STORE_USER: "" });
    base = console_.url;
    browser = await openBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    await store?.stop();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * A signed-out page whose requests come from an address of its own (the console trusts x-forwarded-for from
   * a loopback peer, as from a proxy on its machine), so one test's failed sign-ins do not count
   * against another's.
   */
  async function freshPage(): Promise<Page> {
    await browser.context.clearCookies(); // signed out: no earlier test's session
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `198.51.100.${++addresses}` });
    return page;
  }

  /** Fills and submits the form; returns once the console has answered the form's post. */
  async function signIn(page: Page, user: string, password: string): Promise<void> {
    await page.locator("#username").fill(user);
    await page.locator("#password").fill(password);
    const answered = page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login",
    );
    await page.getByRole("button", { name: "Sign in" }).click();
    await answered;
  }

  /** A sign-in that fails: its message, once the form shows the answer (not the previous one). */
  async function failedSignIn(page: Page, user: string, password: string): Promise<string> {
    await signIn(page, user, password);
    await page.waitForFunction(() => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="login-form"] button[type="submit"]');
      return button !== null && !button.disabled;
    });
    return (await page.getByTestId("login-error").textContent()) ?? "";
  }

  async function sessionCookie(page: Page): Promise<string> {
    const cookies = await page.context().cookies(base);
    const cookie = cookies.find((c) => c.name === "factline-session");
    expect(cookie, "the session cookie").toBeDefined();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    return `factline-session=${cookie!.value}`;
  }

  /** A Connect JSON call of the console's API, as a browser page of the console would send it. */
  function call(path: string, cookie?: string, body = "{}") {
    return fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, ...(cookie ? { cookie } : {}) },
      body,
    });
  }

  it("sends every signed-out page to /login, and back to it after signing in", async () => {
    const page = await freshPage();
    for (const target of PAGES) {
      const res = await page.goto(base + target);
      expect(new URL(page.url()).pathname, target).toBe("/login");
      expect(new URL(page.url()).searchParams.get("next") ?? "/", target).toBe(target);
      expect(res?.headers()["content-security-policy"], target).toContain("'strict-dynamic'");
    }
    // None of the console's data was shown on the way.
    expect(await page.locator("main").textContent()).not.toContain("shop");
    await page.goto(`${base}/facts?ns=shop`);
    await signIn(page, "operator", PASSWORDS.operator);
    await page.waitForURL(`${base}/facts?ns=shop`);
    await hydrated(page);
    expect(await page.getByTestId("account-name").textContent()).toBe("operator");
    await page.locator('[data-serial="1"]').waitFor();
    await page.close();
  });

  it("refuses every API call of a signed-out browser with unauthenticated", async () => {
    const methods = [
      `${API}/GetStoreStatus`,
      `${API}/GetCatalog`,
      `${API}/QueryFacts`,
      `${API}/GetFact`,
      `${API}/GetStoreRate`,
      `${API}/WatchFacts`,
      `${SCHEMA_API}/ListSchemas`,
      `${SCHEMA_API}/RegisterSchema`,
      `${SCHEMA_API}/ValidatePayload`,
      "/api/no.such.Service/Method",
    ];
    const forged = [undefined, "factline-session=", "factline-session=Fe26.2*1*forged*value"];
    // A well-formed cookie sealed with another secret, as one forged without ours would be.
    forged.push(`factline-session=${await seal({ sid: "guessed" }, "another-secret-".repeat(3), 3600)}`);
    for (const cookie of forged) {
      for (const method of methods) {
        const res = await fetch(base + method, {
          method: "POST",
          headers: {
            "content-type": method.endsWith("WatchFacts") ? "application/connect+json" : "application/json",
            origin: base,
            ...(cookie ? { cookie } : {}),
          },
          body: "{}",
        });
        expect(res.status, `${method} with ${cookie}`).toBe(401);
        expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
      }
    }
    const exported = await fetch(`${base}/api/export?ns=shop`);
    expect(exported.status).toBe(401);
    expect(await exported.text()).not.toContain("OrderPlaced");
  });

  it("says the same for a wrong password and an unknown user, and keeps the name typed", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login`);
    const wrong = await failedSignIn(page, "operator", "not-the-password");
    expect(await page.locator("#username").inputValue()).toBe("operator");
    const unknown = await failedSignIn(page, "nobody-here", "not-the-password");
    expect(await page.locator("#username").inputValue()).toBe("nobody-here");
    expect(wrong).toBe("Wrong user name or password.");
    expect(unknown).toBe(wrong);
    // Still signed out.
    expect(page.url()).toBe(`${base}/login`);
    await page.close();
  });

  it("says what is wrong with input the store never sees", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login`);
    expect(await failedSignIn(page, "a".repeat(200) + ":colon", "pw")).toMatch(/cannot contain a colon/);
    // A huge password past the field's own limit, posted as a browser without the limit would.
    await page.locator("#password").evaluate((el) => el.removeAttribute("maxlength"));
    expect(await failedSignIn(page, "operator", "p".repeat(100_000))).toMatch(/at most 1024 characters/);
    await page.close();
  });

  it("limits failed sign-ins per account, with a clear time to wait, and still lets the right one through elsewhere", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login`);
    for (let i = 0; i < 5; i++) {
      expect(await failedSignIn(page, "locked-out", `wrong-${i}`)).toBe("Wrong user name or password.");
    }
    // Now even the right password is not tried.
    expect(await failedSignIn(page, "locked-out", PASSWORDS["locked-out"])).toMatch(
      /^Too many failed sign-ins for this account\. Try again in \d+ s\.$/,
    );
    const seconds = Number(/in (\d+) s/.exec((await page.getByTestId("login-error").textContent())!)![1]);
    expect(seconds).toBeGreaterThan(800);
    expect(seconds).toBeLessThanOrEqual(900);
    // Other accounts from the same address are not locked.
    await signIn(page, "operator", PASSWORDS.operator);
    await page.waitForURL(`${base}/`);
    await page.close();
  });

  it("limits failed sign-ins per address over any accounts", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login`);
    for (let i = 0; i < 20; i++) {
      expect(await failedSignIn(page, `guess-${i}`, "password1")).toBe("Wrong user name or password.");
    }
    expect(await failedSignIn(page, "operator", PASSWORDS.operator)).toMatch(
      /^Too many failed sign-ins from your address\. Try again in \d+ s\.$/,
    );
    await page.close();
  });

  it.each([
    ["//evil.example", "/"],
    ["https://evil.example/x", "/"],
    ["javascript:alert(document.domain)", "/"],
    ["/\\evil.example", "/"],
    ["/schemas?x=1", "/schemas?x=1"],
  ])("after signing in with next=%s, lands on %s of the console", async (next, landing) => {
    const page = await freshPage();
    await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
    await signIn(page, "operator", PASSWORDS.operator);
    await page.waitForURL((url) => url.pathname !== "/login");
    expect(page.url()).toBe(base + landing);
    await page.close();
  });

  it("puts a fresh nonce CSP and the other security headers on every page, and nothing breaks it", async () => {
    const page = await freshPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
    });
    const errors = pageErrors(page);
    await page.goto(`${base}/login`);
    await signIn(page, "admin", PASSWORDS.admin);
    await page.waitForURL(`${base}/`);
    const cookie = await sessionCookie(page);
    const nonces = new Set<string>();
    for (const target of [...PAGES, "/login", "/logout", "/schemas/register", "/no-such-page"]) {
      const res = await page.goto(base + target);
      const headers = res!.headers();
      const csp = headers["content-security-policy"];
      expect(csp, target).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'self'");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["referrer-policy"]).toBe("same-origin");
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      nonces.add(nonce);
      // Every script tag the server sends carries this response's nonce (what they load later runs
      // by 'strict-dynamic'); the browser hides nonce attributes, so the HTML is read as sent.
      const sent = await fetch(base + target, { headers: { cookie, "x-forwarded-for": "198.51.100.250" } });
      const sentNonce = /'nonce-([^']+)'/.exec(sent.headers.get("content-security-policy") ?? "")?.[1];
      const tags = (await sent.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(tags.length, target).toBeGreaterThan(0);
      for (const tag of tags) expect(/\snonce="([^"]+)"/.exec(tag)?.[1], `${target}: ${tag}`).toBe(sentNonce);
      if (target !== "/no-such-page" && target !== "/logout" && target !== "/login") await hydrated(page);
    }
    expect(nonces.size).toBe(PAGES.length + 4);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("ends the session on sign-out: the old cookie no longer works, and the store's audit trail says so", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login`);
    await signIn(page, "operator", PASSWORDS.operator);
    await page.waitForURL(`${base}/`);
    await hydrated(page);
    const cookie = await sessionCookie(page);
    expect((await call(`${API}/GetCatalog`, cookie)).status).toBe(200);
    // What the operator's calls return is what the store lets the operator see.
    const catalog = (await (await call(`${API}/GetCatalog`, cookie)).json()) as { namespaces: { ns: string }[] };
    expect(catalog.namespaces.map((n) => n.ns)).toEqual(["shop"]);
    // So is what the server renders into the page (the prefetch asks as the signed-in user too).
    const html = await (await fetch(`${base}/`, { headers: { cookie } })).text();
    expect(html).toContain(">shop</a>");
    expect(html).not.toContain("billing");
    expect(await page.evaluate(() => document.cookie)).not.toContain("factline-session");
    // One character of it changed: no session.
    const at = cookie.length - 10;
    const tampered = cookie.slice(0, at) + (cookie[at] === "A" ? "B" : "A") + cookie.slice(at + 1);
    expect((await call(`${API}/GetCatalog`, tampered)).status).toBe(401);

    await page.getByTestId("sign-out").click();
    await page.waitForURL(`${base}/login?signed-out=1`);
    expect((await call(`${API}/GetCatalog`, cookie)).status).toBe(401);
    const again = await fetch(base + "/", { headers: { cookie }, redirect: "manual" });
    expect(again.status).toBe(303);
    expect(new URL(again.headers.get("location")!, base).href).toBe(`${base}/login`);

    const admin = createStoreClient({ url: store.url, user: "admin", password: PASSWORDS.admin });
    try {
      await expect
        .poll(async () => {
          const { entries } = await admin.audit.listAuditEntries({
            account: "operator",
            action: "console.sign-*",
            limit: 2,
          });
          return entries.map((e) => `${e.action} ${e.detail}`.trim());
        })
        .toEqual(["console.sign-out signed out", "console.sign-in"]);
    } finally {
      admin.close();
    }
    await page.close();
  });

  it("sends a page whose session ended to /login on its next call, and back afterwards", async () => {
    const page = await freshPage();
    await page.goto(`${base}/login?next=${encodeURIComponent("/schemas")}`);
    await signIn(page, "operator", PASSWORDS.operator);
    await page.waitForURL(`${base}/schemas`);
    await hydrated(page);
    // Signed out elsewhere (another tab): this tab's next poll is refused and it goes to sign in.
    const other = await page.context().newPage();
    await other.goto(`${base}/logout`);
    await other.locator("main").getByRole("button", { name: "Sign out" }).click();
    await other.waitForURL(/\/login/);
    await page.waitForURL(`${base}/login?next=%2Fschemas`, { timeout: 20_000 });
    await other.close();
    await page.close();
  });

  it("shows the sign-in page and the signed-in header in both themes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const themed = await openBrowser({ colorScheme });
      try {
        const page = await themed.newPage();
        await page.setExtraHTTPHeaders({ "x-forwarded-for": `198.51.100.${++addresses}` });
        await page.goto(`${base}/login`);
        await page.locator("#username").waitFor();
        await page.screenshot({ path: path.join(os.tmpdir(), `factline-login-${colorScheme}.png`) });
        await signIn(page, "operator", "wrong");
        await page.getByTestId("login-error").waitFor();
        await page.screenshot({ path: path.join(os.tmpdir(), `factline-login-error-${colorScheme}.png`) });
        await signIn(page, "operator", PASSWORDS.operator);
        await page.waitForURL(`${base}/`);
        await hydrated(page);
        await page.screenshot({
          path: path.join(os.tmpdir(), `factline-header-${colorScheme}.png`),
          clip: { x: 0, y: 0, width: 1440, height: 200 },
        });
        expect(await page.getByTestId("account").isVisible()).toBe(true);
      } finally {
        await themed.close();
      }
    }
  });
});
