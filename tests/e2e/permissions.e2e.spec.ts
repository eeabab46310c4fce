// The three kinds of console user (README "Permissions in the console") in Chromium, against a
// store of their own with an access file: the operator (reads shop*) sees only shop… namespaces on
// every page, in suggestions, live and export, and no schema or audit controls; the developer reads
// everything and uses the validation playground; the admin registers and force-replaces a schema and
// finds both, with account and reason, on /audit. Direct Connect calls with the operator's identity
// are refused by the store, and the audit log shows the refused attempts.
//
// One console in `store` mode (README "Signing in"): each user signs in with their store account in a
// browser of their own, and every call the console makes for them goes upstream as them.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { createStoreClient, type StoreClient } from "../../factcast/client";
import { fact, factsMsg } from "../support/facts";
import { startSecuredStore, type SecuredStore } from "../security/support";
import { e2eDescribe, hydrated, openBrowser, pageErrors, type TestBrowser } from "./support/browser";
import { startConsole, type RunningConsole } from "./support/console";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["operator"] },
    { id: "developer", roles: ["developer"] },
    { id: "admin", roles: ["admin"] },
  ],
  roles: [
    { id: "operator", read: { include: ["shop*"] } },
    { id: "developer", read: { include: ["*"] } },
    { id: "admin", read: { include: ["*"] }, write: { include: ["*"] }, schemas: { include: ["*"] }, audit: true },
  ],
};
const PASSWORDS = { operator: "operator-pw", developer: "developer-pw", admin: "admin-pw" };
type Account = keyof typeof PASSWORDS;
const NAMESPACES = ["shop", "shop-eu", "billing", "users"];
const SCHEMA = { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] };

/** Set to a folder to keep screenshots of /audit in both themes, for looking at them. */
const SCREENSHOT_DIR = process.env.FACTLINE_E2E_SCREENSHOT_DIR;

e2eDescribe("what each kind of user sees", () => {
  let fx: SecuredStore;
  let admin: StoreClient;
  let console_: RunningConsole;
  let base: string;
  const browsers = {} as Record<Account, TestBrowser>;
  /** Serial → namespace of every published fact. */
  const nsOf = new Map<number, string>();

  /** Signs `account` in through /login in `context`'s browser, as a person would. */
  async function signIn(context: BrowserContext, account: Account): Promise<void> {
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator("#username").fill(account);
    await page.locator("#password").fill(PASSWORDS[account]);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/`);
    await page.close();
  }

  beforeAll(async () => {
    const secrets = Object.entries(PASSWORDS)
      .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
      .join("\n");
    fx = await startSecuredStore({ access: ACCESS, secrets, label: "e2e_permissions" });
    admin = createStoreClient({ url: fx.store.url, user: "admin", password: PASSWORDS.admin });
    const facts = NAMESPACES.flatMap((ns) =>
      [1, 2].map((i) => fact({ ns, type: "OrderPlaced", version: 1, payload: { orderId: `${ns}-${i}` } })),
    );
    await admin.facts.publish(factsMsg(facts));
    facts.forEach((f, i) => nsOf.set(i + 1, (JSON.parse(f.header) as { ns: string }).ns));
    // FACTLINE_CONSOLE_AUTH unset: the store has an access file, so the console signs users in; it
    // holds no account of its own (FACTLINE_STORE_USER empty).
    console_ = await startConsole(fx.store.url, { FACTLINE_DATA_DIR: fx.dir, FACTLINE_STORE_USER: "" });
    base = console_.url;
    for (const account of Object.keys(PASSWORDS) as Account[]) {
      browsers[account] = await openBrowser();
      await signIn(browsers[account].context, account);
    }
  });

  afterAll(async () => {
    for (const b of Object.values(browsers)) await b?.close();
    await console_?.stop();
    admin?.close();
    await fx?.close();
  });

  async function open(account: Account, path: string): Promise<Page> {
    const page = await browsers[account].newPage();
    await page.goto(`${base}${path}`);
    await hydrated(page);
    return page;
  }

  const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
  const serialIn = (ns: string) => [...nsOf].find(([, n]) => n === ns)![0];

  /** A Connect call from the page, as any script with the user's console would make it. */
  function connect(page: Page, path: string, body: unknown) {
    return page.evaluate(
      async ([p, b]) => {
        const res = await fetch(`/api/${p}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(b),
        });
        return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
      },
      [path, body] as const,
    );
  }

  it("shows the operator only shop… namespaces on the overview, and why", async () => {
    const page = await open("operator", "/");
    const errors = pageErrors(page);
    await page.locator('[data-testid="namespace-table"]').waitFor();
    expect(await texts(page, '[data-testid="namespace-table"] tbody th a')).toEqual(["shop", "shop-eu"]);
    await expect
      .poll(() => page.locator('[data-testid="read-scope"]').textContent())
      .toMatch(/the 2 namespaces account “operator” may read \(shop\*\): shop, shop-eu/);
    // no audit link for non-auditors
    expect(await page.getByRole("navigation", { name: "Sections" }).getByRole("link").allTextContents()).toEqual([
      "Overview",
      "Facts",
      "Schemas",
      "Live",
      "Subscriptions",
      "Instances",
    ]);
    expect(errors).toEqual([]);
  });

  it("says on a refused namespace, query and fact that the operator cannot read them, with the store's reason", async () => {
    const ns = await open("operator", "/namespaces/billing");
    await ns.locator('[data-testid="refused-title"]').waitFor();
    expect(await ns.locator('[data-testid="refused-title"]').textContent()).toBe("You cannot read namespace “billing”");
    expect(await ns.locator('[data-testid="refused-reason"]').textContent()).toContain(
      'account "operator" may not read namespace "billing"',
    );
    expect(await ns.getByText("Recent facts").count()).toBe(0);

    const query = await open("operator", "/facts?ns=billing");
    await query.locator('[data-testid="refused-title"]').waitFor();
    expect(await query.locator('[data-testid="refused-title"]').textContent()).toBe(
      "You cannot read namespace billing",
    );
    expect(await query.locator('[data-testid="export-link"]').count()).toBe(0);

    const one = await open("operator", `/facts/${serialIn("billing")}`);
    await one.locator('[data-testid="refused-title"]').waitFor();
    expect(await one.locator('[data-testid="refused-reason"]').textContent()).toMatch(
      /may not read namespace "billing"/,
    );

    // a namespace with odd characters in its URL is still just a namespace the store judges
    const odd = await open("operator", `/namespaces/${encodeURIComponent("bil/ling?x=1&y")}`);
    await odd.locator('[data-testid="refused-reason"]').waitFor();
    expect(await odd.locator('[data-testid="refused-title"]').textContent()).toBe(
      "You cannot read namespace “bil/ling?x=1&y”",
    );
  });

  it("lists, suggests and exports only the operator's namespaces", async () => {
    const page = await open("operator", "/facts");
    await page.locator('[data-testid="loaded-count"]').getByText("4 facts loaded").waitFor();
    const suggestions = await page.locator("#f-ns").evaluate((input) => {
      const list = (input as HTMLInputElement).list;
      return list ? [...list.options].map((o) => o.value) : [];
    });
    expect(suggestions).toEqual(["shop", "shop-eu"]);
    expect(await page.locator('[data-testid="export-scope"]').textContent()).toContain(
      "the namespaces you may read (shop, shop-eu)",
    );
    const exported = await page.evaluate(async () => (await fetch("/api/export")).text());
    expect(
      exported
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { header: { ns: string } }).header.ns),
    ).toEqual(["shop", "shop", "shop-eu", "shop-eu"]);
  });

  it("watches the operator's namespaces when /live is opened alone", async () => {
    const page = await open("operator", "/live?from=beginning");
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    expect(await page.locator('[data-testid="read-scope"]').textContent()).toMatch(/^Watching the 2 namespaces/);
    await admin.facts.publish(
      factsMsg([
        fact({ ns: "billing", type: "Secret", version: 1, payload: {} }),
        fact({ ns: "shop", type: "LiveOne", version: 1, payload: {} }),
      ]),
    );
    await page.locator('[data-testid="live-list"]').getByText("LiveOne").waitFor();
    const listed = (await page.locator('[data-testid="live-list"]').textContent()) ?? "";
    expect(listed).not.toContain("billing");
    expect(listed).not.toContain("Secret");
  });

  it("offers no schema or audit controls to the operator and developer", async () => {
    for (const account of ["operator", "developer"] as const) {
      const index = await open(account, "/schemas");
      await index.getByRole("link", { name: "Validation playground" }).waitFor();
      expect(await index.getByRole("link", { name: "Register a schema" }).count()).toBe(0);
      const register = await open(account, "/schemas/register?ns=shop&type=OrderPlaced&version=1");
      await register.locator('[data-testid="no-schema-permission"]').waitFor();
      expect(await register.locator('[data-testid="schema-editor"]').count()).toBe(0);
      const audit = await open(account, "/audit");
      await audit.locator('[data-testid="no-audit-permission"]').waitFor();
      expect(await audit.locator('[data-testid="audit-table"]').count()).toBe(0);
    }
  });

  it("shows the developer a transformation read-only: no register, replace or delete, and the store refuses them", async () => {
    for (const version of [1, 2]) {
      await admin.registry.registerSchema({
        key: { ns: "users", type: "UserRenamed", version },
        schemaJson: JSON.stringify({ type: "object" }),
      });
    }
    const key = { ns: "users", type: "UserRenamed", fromVersion: 1, toVersion: 2 };
    const code = "function (e) { e.sent = true; }";
    await admin.transformations.registerTransformation({ key, code });

    const type = await open("developer", "/schemas/users/UserRenamed");
    const errors = pageErrors(type);
    const edge = type.locator('[data-testid="edge-1-2"]');
    await edge.waitFor({ timeout: 20_000 });
    expect(await edge.getByRole("link", { name: "View code" }).count()).toBe(1);
    expect(await type.getByRole("link", { name: "Register a transformation" }).count()).toBe(0);

    const page = await open("developer", "/schemas/transform?ns=users&type=UserRenamed&from=1&to=2");
    errors.push(...pageErrors(page));
    await page.locator('[data-testid="no-schema-permission"]').waitFor({ timeout: 20_000 });
    const editor = page.locator('[data-testid="transform-editor"]');
    await expect.poll(() => editor.textContent(), { timeout: 20_000 }).toContain("e.sent = true");
    expect(await editor.getAttribute("contenteditable")).toBe("false");
    for (const name of ["Check", "Register", "Replace", "Delete…"]) {
      expect(await page.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.locator('input[name="description"]').count()).toBe(0);

    // what the page does not offer, the store refuses anyway
    const calls = [
      ["RegisterTransformation", { key, code: "function (e) { e.sent = false; }", force: true, reason: "sneaky" }],
      ["DeleteTransformation", { key }],
    ] as const;
    for (const [method, body] of calls) {
      const refused = await connect(page, `factline.console.v1.TransformationService/${method}`, body);
      expect(refused, method).toMatchObject({ status: 403, body: { code: "permission_denied" } });
      expect(refused.body.message, method).toMatch(/may not manage schemas of namespace "users"/);
    }
    const kept = await admin.transformations.getTransformation({ key });
    expect(kept.transformation?.code).toBe(code);
    expect(errors).toEqual([]);
  });

  it("lets the developer read every namespace and use the validation playground", async () => {
    await admin.registry.registerSchema({
      key: { ns: "users", type: "OrderPlaced", version: 1 },
      schemaJson: JSON.stringify(SCHEMA),
    });
    const page = await open("developer", "/");
    await page.locator('[data-testid="namespace-table"]').waitFor();
    expect(await texts(page, '[data-testid="namespace-table"] tbody th a')).toEqual([...NAMESPACES].sort());
    expect(await page.locator('[data-testid="read-scope"]').count()).toBe(0);
    const playground = await open("developer", "/schemas/validate?ns=users&type=OrderPlaced&version=1");
    await playground.locator('[data-testid="payload-editor"]').fill('{"orderId": 7}');
    await playground.getByRole("button", { name: "Validate" }).click();
    // the editor (CodeMirror) and the store's validation take their time on a busy machine
    await expect.poll(() => playground.locator("main").textContent(), { timeout: 20_000 }).toMatch(/\/orderId/);
  });

  it("refuses the operator's direct Connect calls in the store, and the audit log shows them", async () => {
    const page = await open("operator", "/");
    const register = await connect(page, "factline.console.v1.SchemaService/RegisterSchema", {
      key: { ns: "shop", type: "Sneaky", version: 1 },
      schemaJson: "{}",
    });
    expect(register).toMatchObject({
      status: 403,
      body: { code: "permission_denied", message: 'account "operator" may not manage schemas of namespace "shop"' },
    });
    const query = await connect(page, "factline.console.v1.ConsoleService/QueryFacts", {
      query: { filters: [{ ns: "billing" }] },
    });
    expect(query).toMatchObject({ status: 403, body: { code: "permission_denied" } });
    expect(query.body.message).toMatch(/may not read namespace "billing"/);
    const exported = await page.evaluate(async () => {
      const res = await fetch("/api/export?ns=billing");
      return { status: res.status, text: await res.text() };
    });
    expect(exported.status).toBe(403);
    expect(exported.text).toMatch(/may not read namespace "billing"/);

    const audit = await open("admin", "/audit?account=operator");
    await audit.locator('[data-testid="audit-table"]').waitFor();
    await expect
      .poll(async () => (await audit.locator('[data-testid="audit-table"]').textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/schema\.register.*denied.*shop.*Sneaky v1/);
    const table = (await audit.locator('[data-testid="audit-table"]').textContent()) ?? "";
    // the console's sign-ins are beside the store's entries
    expect(table).toMatch(/operator\s*basic\s*console\.sign-in\s*ok/);
    expect(table).toMatch(/access\.denied.*denied.*FactQueryService\/QueryFacts/);
    expect(table).toMatch(/access\.denied.*denied.*RemoteFactStore\/subscribe/);
  });

  it("lets the admin register and force-replace a schema, and /audit lists both with account and reason", async () => {
    const page = await open("admin", "/schemas/register?ns=shop&type=OrderPlaced&version=1");
    const editor = page.locator('[data-testid="schema-editor"]');
    await editor.fill(JSON.stringify({ type: "object" }));
    await page.getByRole("button", { name: "Check" }).click();
    await page.locator('[data-testid="dry-run-summary"]').waitFor();
    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(`${base}/schemas/shop/OrderPlaced/1`);
    expect(await page.getByRole("link", { name: "Register next version" }).count()).toBe(1);

    const again = await open("admin", "/schemas/register?ns=shop&type=OrderPlaced&version=1");
    await again.locator('[data-testid="schema-editor"]').fill(JSON.stringify(SCHEMA, null, 2));
    await again.getByRole("button", { name: "Check" }).click();
    await again.getByText("Replace it").click();
    await again.getByLabel("Reason").fill("orderId is required from now on");
    await again.getByRole("button", { name: "Register" }).click();
    await again.waitForURL(`${base}/schemas/shop/OrderPlaced/1`);

    const audit = await open("admin", "/audit?action=schema.*&ns=shop&account=admin");
    const rows = audit.locator('[data-testid="audit-row"]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(
      /admin.*schema\.replace.*ok.*shop.*OrderPlaced v1.*reason: orderId is required from now on/,
    );
    expect(await rows.nth(1).textContent()).toMatch(/admin.*schema\.register.*ok.*shop.*OrderPlaced v1/);
    expect(await audit.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" }).count()).toBe(
      1,
    );
  });

  it("lists only the operator's namespaces in the schema index, registered or not", async () => {
    // by now: schemas for users/OrderPlaced (developer test) and shop/OrderPlaced (admin test)
    const namespacesIn = async (page: Page) => {
      await page.locator('[data-testid="schema-table"]').first().waitFor();
      return texts(page, 'section[aria-labelledby^="ns-"] h2');
    };
    const operator = await open("operator", "/schemas");
    expect(await namespacesIn(operator)).toEqual(["shop"]);
    const unschematized = await texts(operator, '[data-testid="unschematized"] li a');
    expect(unschematized).toContain("shop-eu / OrderPlaced");
    expect(unschematized.filter((t) => !t.startsWith("shop"))).toEqual([]);

    const developer = await open("developer", "/schemas");
    expect((await namespacesIn(developer)).sort()).toEqual(["shop", "users"]);
    expect(await texts(developer, '[data-testid="unschematized"] li a')).toContain("billing / OrderPlaced");
  });

  it("pages the audit log both ways with the position in the URL, and exports what the filter matches", async () => {
    const page = await open("admin", "/audit?limit=2");
    const rows = page.locator('[data-testid="audit-row"]');
    await expect.poll(() => rows.count()).toBe(2);
    const ids = async () => rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("data-id"))));
    const newest = await ids();
    await page.getByRole("link", { name: "Older →" }).first().click();
    await page.waitForURL(/before=/);
    await expect.poll(async () => (await ids())[0]).toBeLessThan(newest[1]);
    const older = await ids();
    await page.getByRole("link", { name: "← Newer" }).first().click();
    await page.waitForURL(/after=/);
    await expect.poll(ids).toEqual(newest);

    const csv = await page.evaluate(async () => {
      const res = await fetch("/api/export/audit?action=schema.replace&format=csv");
      return { type: res.headers.get("content-type"), text: await res.text() };
    });
    expect(csv.type).toMatch(/text\/csv/);
    expect(csv.text.split("\r\n")[1]).toMatch(/,admin,basic,schema\.replace,ok,shop,OrderPlaced v1,/);
    expect(older.length).toBe(2);
  });

  it("explains bad audit URLs instead of showing entries", async () => {
    const page = await open("admin", "/audit?from=2025-03-01&to=2025-02-01&before=-4&limit=5000");
    const errors = await page.locator('[data-testid="audit-errors"] li').allTextContents();
    expect(errors).toEqual([
      "to (2025-02-01) is not after from (2025-03-01): swap them",
      'before "-4" is not an entry id: use a whole number like 1042',
      'limit "5000" is out of range: a page holds 1 to 1000 entries',
    ]);
    expect(await page.locator('[data-testid="audit-table"]').count()).toBe(0);
    // the form names the field at fault and refuses to apply it
    await page.locator("#a-from").fill("31.03.2025");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.locator("#a-from-hint").textContent()).toMatch(/is neither a day/);
  });

  it("shows /audit in both themes", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const themed = await openBrowser({ colorScheme: scheme });
      try {
        await signIn(themed.context, "admin");
        const page = await themed.newPage();
        await page.goto(`${base}/audit`);
        await hydrated(page);
        await page.locator('[data-testid="audit-table"]').waitFor();
        const colors = await page.evaluate(() => {
          const style = getComputedStyle(document.body);
          return { background: style.backgroundColor, color: style.color };
        });
        expect(colors.background).not.toBe(colors.color);
        if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/audit-${scheme}.png`, fullPage: true });
      } finally {
        await themed.close();
      }
    }
  });
});
