// Transformations in the console (issue #15): a fact shown as another version of its type (and the
// store's words when no chain reaches it), "as version N" in the fact browser's and the live view's
// forms (bad values explained in place), and a type's transformations on its schema page.
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { objectSchema } from "../schemas/support.js";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

const USER = "UserCreated";
const LONELY = "Lonely";
/** Answers come from a store and a console on a shared, loaded machine: generous, not the 1 s default. */
const POLL = { timeout: 20_000 };
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
    expect(errors).toEqual([]);
  });
});
