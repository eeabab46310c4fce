// Transformations in the console (issue #15): a fact shown as another version of its type (and the
// store's words when no chain reaches it), "as version N" in the fact browser's and the live view's
// forms (bad values explained in place), a type's transformations on its schema page, registering
// one in the code editor after its check (force only with a reason), the try-it panel, and the JSON
// Schema editor. FACTLINE_E2E_SCREENSHOT_DIR=<dir> saves screenshots in both themes.
import fs from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { objectSchema } from "../schemas/support.js";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

const USER = "UserCreated";
const LONELY = "Lonely";
/** Answers come from a store and a console on a shared, loaded machine: generous, not the 1 s default. */
const POLL = { timeout: 20_000 };
const SCREENSHOT_DIR = process.env.FACTLINE_E2E_SCREENSHOT_DIR;
const TO_2 = `function (e) { e.displayName = e.firstName + " " + e.lastName; }`;

e2eDescribe("transformations", () => {
  const base = inject("consoleUrl");
  const ns = uniqueName("e2e-transform");
  let browser: TestBrowser;
  let facts: Published[];

  beforeAll(async () => {
    browser = await openBrowser();
    const store = createStoreClient({ url: inject("storeUrl"), clientId: "e2e-transformations" });
    const schema = (type: string, version: number, json: string) =>
      store.registry.registerSchema({ key: { ns, type, version }, schemaJson: json });
    await schema(USER, 1, objectSchema(["firstName", "lastName"]));
    await schema(USER, 2, objectSchema(["firstName", "lastName", "displayName"]));
    await schema(LONELY, 1, objectSchema([]));
    await schema(LONELY, 2, objectSchema(["x"]));
    await store.transformations.registerTransformation({
      key: { ns, type: USER, fromVersion: 1, toVersion: 2 },
      code: TO_2,
    });
    facts = await publishFacts(inject("storeUrl"), [
      { ns, type: USER, version: 1, payload: { firstName: "Ada", lastName: "Lovelace" } },
      { ns, type: USER, version: 1, payload: { firstName: "Grace", lastName: "Hopper" } },
      { ns, type: LONELY, version: 1, payload: {} },
    ]);
  });
  afterAll(async () => browser?.close());

  it("shows a fact as another version with the chain used, and why when no chain reaches it", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/facts/${facts[0].serial}`);
    await hydrated(page);
    const select = page.locator('[data-testid="version-select"]');
    await expect.poll(() => select.locator("option").allTextContents(), POLL).toHaveLength(2);
    await select.selectOption("2");
    await expect.poll(() => page.url(), POLL).toContain("asVersion=2");
    const chain = page.locator('[data-testid="as-version-chain"]');
    await chain.waitFor();
    expect(await chain.textContent()).toContain("v1 → v2");
    expect(await page.locator('[data-testid="json-tree-payload"]').textContent()).toContain("Ada Lovelace");

    // version 2 of Lonely has a schema but no upcast from 1: FactCast's exception, in place
    await page.goto(`${base}/facts/${facts[2].serial}?asVersion=2`);
    const failure = page.locator('[data-testid="as-version-failure"]');
    await failure.waitFor();
    expect(await failure.textContent()).toContain("MissingTransformationInformationException");
    // a version that is not one is explained, and the payload shown as published
    await page.goto(`${base}/facts/${facts[0].serial}?asVersion=abc`);
    await page.locator('[data-testid="as-version-error"]').waitFor();
    expect(await page.locator('[data-testid="as-version-error"]').textContent()).toContain("not a version");
    expect(errors).toEqual([]);
  });

  it("browses one type as version N from the filter form, and explains bad values in place", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/facts`);
    await hydrated(page);
    const field = page.locator("#f-as-version");
    expect(await field.isDisabled()).toBe(true); // no single type yet
    await page.fill("#f-ns", ns);
    await page.press("#f-ns", "Enter");
    await page.fill("#f-type", USER);
    await page.press("#f-type", "Enter");
    await expect.poll(() => field.isDisabled(), POLL).toBe(false);
    for (const [bad, words] of [
      ["abc", "not a version"],
      ["0", "versions start at 1"],
      ["-1", "is negative"],
      ["99999999999", "out of range"],
    ]) {
      await field.fill(bad);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect
        .poll(() => page.locator('[data-testid="as-version-field-error"]').textContent(), POLL)
        .toContain(words);
      expect(page.url()).not.toContain("asVersion");
    }
    await field.fill("2");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => page.url(), POLL).toContain("asVersion=2");
    await page.locator('[data-testid="as-version-note"]').waitFor();
    const body = page.locator("main");
    await expect.poll(() => body.textContent(), POLL).toContain("Grace Hopper");
    expect(await body.textContent()).toContain("Ada Lovelace");
    // a row opens its fact in the same version
    expect(await page.locator("a[data-row-link]").first().getAttribute("href")).toMatch(/^\/facts\/\d+\?asVersion=2$/);

    // asVersion without one type, straight in the URL: the page says what to fix
    await page.goto(`${base}/facts?ns=${ns}&asVersion=2`);
    await page.locator('[data-testid="query-errors"]').waitFor();
    expect(await page.locator('[data-testid="query-errors"]').textContent()).toContain(
      "asVersion needs exactly one namespace and one type",
    );
    expect(errors).toEqual([]);
  });

  it("watches one type as version N on /live", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/live?ns=${ns}&type=${USER}&asVersion=2&from=beginning`);
    await hydrated(page);
    expect(await page.locator("#l-as-version").inputValue()).toBe("2");
    const body = page.locator("main");
    await expect.poll(() => body.textContent(), POLL).toContain("Grace Hopper");
    expect(await body.textContent()).toContain("Ada Lovelace");
    // The detail's link opens the fact as the version watched, not as published
    await page.locator(`[data-serial="${facts[1].serial}"]`).click();
    const open = page.getByTestId("live-detail").getByRole("link", { name: "Open fact page" });
    expect(await open.getAttribute("href")).toBe(`/facts/${facts[1].serial}?asVersion=2`);
    await open.click();
    await expect.poll(() => page.url(), POLL).toContain(`/facts/${facts[1].serial}?asVersion=2`);
    await page.locator('[data-testid="as-version-chain"]').waitFor();
    expect(await page.locator('[data-testid="as-version-chain"]').textContent()).toContain("v1 → v2");
    expect(await page.locator('[data-testid="json-tree-payload"]').textContent()).toContain("Grace Hopper");
    expect(errors).toEqual([]);
  });

  it("lists a type's transformations as edges and registers one after its check, replacing it only with a reason", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const csp = cspViolations(page);
    await page.goto(`${base}/schemas/${ns}/${LONELY}`);
    await hydrated(page);
    // the store's synthetic identity downcast, and the upcast consumers of version 2 lack
    const edges = page.locator('[data-testid="transformation-edges"]');
    await edges.waitFor();
    expect(await page.locator('[data-testid="edge-2-1"]').textContent()).toContain("downcast (identity, assumed)");
    const missing = page.locator('[data-testid="missing-transformations"]');
    expect(await missing.textContent()).toContain("v1 → v2");
    await missing.getByRole("link", { name: "Register it" }).click();
    await page.waitForURL(/\/schemas\/transform\?/);
    const editor = page.locator('[data-testid="transform-editor"]');
    await editor.waitFor();
    const check = page.getByRole("button", { name: "Check" });
    const register = page.getByRole("button", { name: "Register" });

    // code that does not compile: said in place, nothing registered
    await editor.fill("function (e) { e.x = ; }");
    await check.click();
    await expect.poll(() => page.locator('[data-testid="compile-error"]').textContent(), POLL).toMatch(/\S/);
    expect(await register.isDisabled()).toBe(true);

    // a script that throws, tried on the stored fact: FactCast's TransformationException, in place
    await editor.fill('function (e) { throw new Error("no x for you"); }');
    await page.fill('[data-testid="try-serial"]', String(facts[2].serial));
    await page.getByRole("button", { name: "Try as version 2" }).click();
    await expect.poll(() => page.locator('[data-testid="try-failure"]').textContent(), POLL).toContain("no x for you");
    expect(await page.locator('[data-testid="try-failure"]').textContent()).toContain("TransformationException");

    // a result that misses the target schema's required field: the check names it
    await editor.fill("function (e) { e.y = 1; }");
    await check.click();
    const summary = page.locator('[data-testid="transform-check-summary"]');
    await expect.poll(() => summary.textContent(), POLL).toContain("0 of 1 passed");
    expect(await page.locator('[data-testid="transform-check-failures"]').textContent()).toContain(
      `fact ${facts[2].serial}`,
    );
    // failures are not a veto, but registering over them must be chosen
    expect(await register.isDisabled()).toBe(true);
    await page.locator('[data-testid="accept-failures"] input').check();
    expect(await register.isDisabled()).toBe(false);

    await editor.fill('function (e) { e.x = "made"; }');
    expect(await register.isDisabled()).toBe(true); // a new text needs a new check
    await check.click();
    await expect.poll(() => summary.textContent(), POLL).toContain("1 of 1 passed");
    await page.getByRole("button", { name: "Try as version 2" }).click();
    await expect.poll(() => page.locator('[data-testid="try-after"]').textContent(), POLL).toContain("made");
    if (SCREENSHOT_DIR) await shoot(page, "transform-light");
    await register.click();
    await expect
      .poll(() => page.locator('[data-testid="registered-notice"]').textContent(), POLL)
      .toContain("Registered");

    // the fact page now reaches version 2 through it
    const fact = await browser.newPage();
    await fact.goto(`${base}/facts/${facts[2].serial}?asVersion=2`);
    await expect.poll(() => fact.locator('[data-testid="as-version-chain"]').textContent(), POLL).toContain("v1 → v2");
    await fact.close();

    // changed code for a registered pair: Replace needs the box ticked and a reason
    await editor.fill('function (e) { e.x = "changed"; }');
    await check.click();
    const replace = page.getByRole("button", { name: "Replace" });
    await replace.waitFor();
    expect(await replace.isDisabled()).toBe(true);
    await page.getByText("Replace it").click();
    await page.locator('[data-testid="reason-needed"]').waitFor();
    expect(await replace.isDisabled()).toBe(true);
    await page.getByLabel("Reason").fill("x says what changed");
    await replace.click();
    await expect
      .poll(() => page.locator('[data-testid="registered-notice"]').textContent(), POLL)
      .toContain("Replaced");
    await expect.poll(() => page.locator('[data-testid="transform-history"]').textContent(), POLL).toContain('"made"');

    // deleting it says what it means first; afterwards the type lacks the upcast again
    await page.getByRole("button", { name: "Delete…" }).click();
    expect(await page.locator('[data-testid="delete-warning"]').textContent()).toContain(
      "MissingTransformationInformationException",
    );
    await page.getByRole("button", { name: "Delete v1 → v2" }).click();
    await page.locator('[data-testid="deleted-notice"]').waitFor({ timeout: POLL.timeout });
    expect(await editor.textContent()).toContain("changed");
    await page.goto(`${base}/schemas/${ns}/${LONELY}`);
    await expect
      .poll(() => page.locator('[data-testid="missing-transformations"]').textContent(), POLL)
      .toContain("v1 → v2");
    expect(errors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it("edits the JSON Schema in the code editor and names the upcasts a new version would lack", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const csp = cspViolations(page);
    await page.goto(`${base}/schemas/register?ns=${ns}&type=${USER}&version=3`);
    const editor = page.locator('[data-testid="schema-editor"]');
    await editor.waitFor();
    await editor.fill('{ "type": "object", oops }');
    await expect.poll(() => page.locator('[data-testid="syntax-error"]').textContent(), POLL).toMatch(/Line 1/);
    // the editor marks it too (its JSON linter, in the gutter)
    await expect.poll(() => page.locator(".cm-lint-marker-error").count(), POLL).toBeGreaterThan(0);
    await editor.fill(objectSchema(["displayName"]));
    await expect.poll(() => page.locator('[data-testid="syntax-status"]').textContent(), POLL).toBe("valid JSON");
    await page.getByRole("button", { name: "Check" }).click();
    const lacking = page.locator('[data-testid="check-missing-transformations"]');
    await expect.poll(() => lacking.textContent(), POLL).toContain("v2 → v3");
    if (SCREENSHOT_DIR) await shoot(page, "schema-editor-light");
    expect(errors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it("shows the transformations and the editor legibly in the dark theme", async () => {
    const dark = await openBrowser({ colorScheme: "dark" });
    try {
      const page = await dark.newPage();
      const csp = cspViolations(page);
      await page.goto(`${base}/schemas/${ns}/${USER}`);
      await page.locator('[data-testid="transformation-edges"]').waitFor();
      if (SCREENSHOT_DIR) await shoot(page, "type-transformations-dark");
      await page.goto(`${base}/schemas/transform?ns=${ns}&type=${USER}&from=1&to=2&serial=${facts[0].serial}`);
      const editor = page.locator('[data-testid="transform-editor"]');
      await expect.poll(() => editor.textContent(), POLL).toContain("displayName");
      // the editor follows the theme: its background is the dark surface, not CodeMirror's white
      const background = await page
        .locator(".code-editor .cm-editor")
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe("rgb(27, 33, 42)");
      await page.getByRole("button", { name: "Try as version 2" }).click();
      await expect.poll(() => page.locator('[data-testid="try-after"]').textContent(), POLL).toContain("Ada Lovelace");
      if (SCREENSHOT_DIR) await shoot(page, "transform-dark");
      expect(csp).toEqual([]);
    } finally {
      await dark.close();
    }
  });
});

/** Content-Security-Policy refusals the page reports (CodeMirror injects styles; none may be refused). */
function cspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) found.push(m.text());
  });
  return found;
}

async function shoot(page: Page, name: string) {
  await fs.mkdir(SCREENSHOT_DIR!, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR!, `transformations-${name}.png`), fullPage: true });
}
