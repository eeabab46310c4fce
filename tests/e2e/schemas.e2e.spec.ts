// The schema registry in the console: register a schema (syntax check, Check with its dry run over
// stored facts, then Register), see it as a field table, then publish over gRPC and see the store
// enforce it: a valid fact is stored, an invalid one is rejected with FactValidationException.
import { inject } from "vitest";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createFactStoreClient, expectFailure } from "../support/client";
import { fact, publish } from "../support/facts";
import { e2eDescribe, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { publishFacts, uniqueName, type Published } from "./support/publish";

const SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    name: { type: "string", description: "the customer's name", minLength: 1 },
    email: { type: "string", format: "email" },
  },
  required: ["name"],
};

/** Set to a folder to keep screenshots of the schema pages in both themes, for looking at them. */
const SCREENSHOT_DIR = process.env.FACTLINE_E2E_SCREENSHOT_DIR;

e2eDescribe("schema registry", () => {
  const base = inject("consoleUrl");
  const storeUrl = inject("storeUrl");
  const ns = uniqueName("e2e-schemas");
  const type = "CustomerRegistered";
  let browser: TestBrowser;
  let stored: Published[];

  beforeAll(async () => {
    browser = await openBrowser();
    // Stored before the schema exists: the dry run must find the second one failing.
    stored = await publishFacts(storeUrl, [
      { ns, type, version: 1, payload: { name: "Ada" } },
      { ns, type, version: 1, payload: { name: 42 } },
    ]);
  });
  afterAll(async () => browser?.close());

  it("lists the type as having facts but no schema", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/schemas`);
    await page.locator('[data-testid="unschematized"]').getByText(`${ns} / ${type}`).waitFor();
  });

  it("registers a schema after checking it, with the dry run over stored facts", async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/schemas/register?ns=${ns}&type=${type}&version=1`);
    const editor = page.locator('[data-testid="schema-editor"]');
    await editor.fill('{\n  "type": "object",\n  "properties": { oops }\n}');
    // a syntax error is shown where it is, and Check is off until it is fixed
    await expect.poll(() => page.locator('[data-testid="syntax-error"]').textContent()).toMatch(/Line 3, column \d+/);
    expect(await page.getByRole("button", { name: "Check" }).isDisabled()).toBe(true);

    await editor.fill(JSON.stringify(SCHEMA, null, 2));
    expect(await page.locator('[data-testid="syntax-status"]').textContent()).toBe("valid JSON");
    expect(await page.getByRole("button", { name: "Register" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Check" }).click();
    const summary = page.locator('[data-testid="dry-run-summary"]');
    await summary.waitFor();
    expect(await summary.textContent()).toContain("1 of 2 stored facts would fail");
    const failure = page.locator('[data-testid="dry-run-failures"] a');
    expect(await failure.getAttribute("href")).toBe(`/facts/${stored[1].serial}`);
    expect(await page.locator('[data-testid="dry-run-failures"]').textContent()).toContain("/name");
    if (SCREENSHOT_DIR) await shoot(page, "register");

    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(`${base}/schemas/${ns}/${type}/1`);
    const fields = page.locator('[data-testid="field-table"]');
    await fields.waitFor();
    const text = (await fields.textContent()) ?? "";
    expect(text).toContain("/name");
    expect(text).toContain("the customer's name");
    expect(text).toContain("format: email");
    expect(await page.locator('[data-testid="fact-count"]').textContent()).toContain("2 facts");
    expect(errors).toEqual([]);
  });

  it("makes the store accept a valid fact and reject an invalid one with its error", async () => {
    const client = createFactStoreClient(storeUrl);
    await publish(client, [fact({ ns, type, version: 1, payload: { name: "Grace", email: "grace@example.com" } })]);
    const failure = await expectFailure(
      publish(client, [fact({ ns, type, version: 1, payload: { email: "nobody" } })]),
    );
    expect(failure.exception).toContain("FactValidationException");
    expect(failure.exceptionMessage ?? failure.message).toMatch(/name/);
  });

  it("points at the offending place of a candidate that is not a valid JSON Schema", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/schemas/register?ns=${ns}&type=${type}&version=7`);
    await page
      .locator('[data-testid="schema-editor"]')
      .fill('{\n  "type": "object",\n  "properties": { "name": { "type": "strin" } }\n}');
    await page.getByRole("button", { name: "Check" }).click();
    const problems = page.locator('[data-testid="schema-problems"]');
    await problems.waitFor();
    expect(await problems.textContent()).toContain("/properties/name");
    expect(await page.getByRole("button", { name: "Register" }).isDisabled()).toBe(true);
    if (SCREENSHOT_DIR) await shoot(page, "register-invalid");
  });

  it("shows the classified diff of a breaking version before and after registering it", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/schemas/register?ns=${ns}&type=${type}&version=2`);
    const v2 = { ...SCHEMA, required: ["name", "email"] };
    await page.locator('[data-testid="schema-editor"]').fill(JSON.stringify(v2, null, 2));
    await page.getByRole("button", { name: "Check" }).click();
    const change = page.locator('[data-testid="check-result"] [data-testid="change"]');
    await change.first().waitFor();
    const text = (await change.first().textContent()) ?? "";
    expect(text).toContain("/email");
    expect(text).toMatch(/made required|added required/);
    expect(text).toContain("breaking");
    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(`${base}/schemas/${ns}/${type}/2`);

    await page.goto(`${base}/schemas/${ns}/${type}`);
    const compared = page.locator('[data-testid="change-list"] [data-testid="change"]');
    await compared.first().waitFor();
    expect(await compared.first().textContent()).toContain("/email");
  });

  it("validates a stored fact in the playground and marks the error at its pointer", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/schemas/validate?ns=${ns}&type=${type}&version=1&serial=${stored[1].serial}`);
    // the serial in the URL is loaded on arrival
    await expect
      .poll(() => page.locator('[data-testid="payload-editor"]').textContent(), { timeout: 20_000 })
      .toContain("42");
    await page.getByRole("button", { name: "Validate" }).click();
    await page.locator('[data-testid="validation-errors"]').waitFor();
    expect(await page.locator('[data-testid="validation-errors"]').textContent()).toContain("/name");
    expect(await page.locator('[data-testid="highlighted-payload"] [data-pointer="/name"]').count()).toBeGreaterThan(0);
    if (SCREENSHOT_DIR) await shoot(page, "validate");
  });

  it("says so when the store has no registry (a plain FactCast server)", async () => {
    const page = await browser.newPage();
    await page.goto(`${inject("plainConsoleUrl")}/schemas`);
    await page.getByText("this store has no schema registry").waitFor();
  });

  it("renders the schema pages in both themes", async () => {
    if (!SCREENSHOT_DIR) return;
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    for (const scheme of ["light", "dark"] as const) {
      const b = await openBrowser({ colorScheme: scheme });
      const page = await b.newPage();
      for (const [name, url] of [
        ["index", `/schemas`],
        ["type", `/schemas/${ns}/${type}`],
        ["version", `/schemas/${ns}/${type}/1`],
      ] as const) {
        await page.goto(`${base}${url}`);
        await page.waitForLoadState("networkidle");
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`), fullPage: true });
      }
      await b.close();
    }
  });
});

async function shoot(page: import("playwright-core").Page, name: string) {
  await fs.mkdir(SCREENSHOT_DIR!, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR!, `${name}.png`), fullPage: true });
}
