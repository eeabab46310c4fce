// `factline audit` through the real executable against a real store with an access file: the trail
// newest first as a table or NDJSON, the same filters as the console's /audit page, paging through
// more than one store page, and the exit codes — 1 for bad flags, 2 for an account without the
// audit permission or a store without a trail, 3 for a store that is not there.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpstream, type Upstream } from "../../lib/backend/upstream/upstream";
import { startSecuredStore, type SecuredStore } from "../security/support.js";
import { startStore, type RunningStore } from "../support/store.js";
import { runCli } from "./run-cli.js";

const ACCESS = {
  accounts: [
    { id: "operator", roles: ["shop-reader"] },
    { id: "admin", roles: ["admin"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop*"] } },
    { id: "admin", read: { include: ["*"] }, write: { include: ["*"] }, schemas: { include: ["*"] }, audit: true },
  ],
};
const PASSWORDS = { operator: "operator-pw", admin: "admin-pw" };
const SCHEMA = JSON.stringify({ type: "object" });
/** More than one page of the store's (1,000 entries): the CLI must page on by itself. */
const FLOOD = 1_010;

let fx: SecuredStore;
let plain: RunningStore;
const clients: Upstream[] = [];

function as(account: keyof typeof PASSWORDS): Upstream {
  const up = createUpstream({ url: fx.store.url, user: account, password: PASSWORDS[account] });
  clients.push(up);
  return up;
}

/** The flags a user passes (run-cli.ts clears FACTLINE_STORE_USER/PASSWORD for every run). */
const login = (account: keyof typeof PASSWORDS) => ["--user", account, "--password", PASSWORDS[account]];

interface Line {
  id: number;
  at: string;
  account: string;
  action: string;
  outcome: string;
  ns: string;
  subject: string;
  reason: string;
}
const parse = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  const secrets = Object.entries(PASSWORDS)
    .map(([id, pw]) => `factcast.access.secrets.${id}=${pw}`)
    .join("\n");
  fx = await startSecuredStore({ access: ACCESS, secrets, label: "cli_audit" });
  const admin = as("admin");
  const operator = as("operator");
  const key = { ns: "shop", type: "OrderPlaced", version: 1 };
  await admin.registry.registerSchema({ key, schemaJson: SCHEMA });
  await admin.registry.registerSchema({
    key,
    schemaJson: JSON.stringify({ type: "object", required: ["id"] }),
    force: true,
    reason: "id is required",
  });
  for (let i = 0; i < FLOOD; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, FLOOD - i) }, () =>
        operator.registry
          .registerSchema({ key: { ns: "billing", type: "Flood", version: 1 }, schemaJson: SCHEMA })
          .catch(() => undefined),
      ),
    );
  // A failed sign-in whose claimed account carries a terminal escape sequence.
  await createUpstream({ url: fx.store.url, user: "\u001b[31mevil", password: "x" })
    .facts.handshake({})
    .catch(() => undefined);
  plain = await startStore({
    databaseUrl: fx.databaseUrl,
    env: {
      FACTLINE_ADMIN_SERVICES: "off",
      FACTLINE_ACCESS_FILE: `${fx.dir}/factcast-access.json`,
      FACTLINE_SECRETS_FILE: `${fx.dir}/secrets.properties`,
      FACTLINE_LOG: "silent",
    },
  });
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await plain?.stop();
  await fx?.close();
}, 60_000);

describe("factline audit", () => {
  it("prints the trail newest first as NDJSON, paging through every store page", async () => {
    const res = await runCli(fx.store.url, ["audit", "--json", ...login("admin")]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const lines = parse(res.stdout);
    expect(lines.filter((l) => l.action === "schema.register" && l.outcome === "denied")).toHaveLength(FLOOD);
    const ids = lines.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(lines.at(-1)).toMatchObject({ action: "schema.register", account: "admin", outcome: "ok" });
    expect(lines.at(-2)).toMatchObject({
      action: "schema.replace",
      reason: "id is required",
      subject: "OrderPlaced v1",
    });
  });

  it("filters as the console does, and stops at --limit", async () => {
    const schemaChanges = await runCli(fx.store.url, [
      "audit",
      "--json",
      "--action",
      "schema.*",
      "--ns",
      "shop",
      "--account",
      "adm*",
      ...login("admin"),
    ]);
    expect(parse(schemaChanges.stdout).map((l) => l.action)).toEqual(["schema.replace", "schema.register"]);
    const limited = await runCli(fx.store.url, ["audit", "--json", "--limit", "3", ...login("admin")]);
    expect(parse(limited.stdout)).toHaveLength(3);
    const today = new Date().toISOString().slice(0, 10);
    const inRange = await runCli(fx.store.url, [
      "audit",
      "--json",
      "--account",
      "admin",
      "--from",
      today,
      "--to",
      today,
      ...login("admin"),
    ]);
    expect(parse(inRange.stdout)).toHaveLength(2);
    const later = await runCli(fx.store.url, [
      "audit",
      "--from",
      new Date(Date.now() + 3_600_000).toISOString(),
      ...login("admin"),
    ]);
    expect(later).toMatchObject({ code: 0, stdout: "", stderr: "factline: no audit entries match\n" });
  });

  it("prints a table for people, with what callers chose shown harmlessly", async () => {
    const res = await runCli(fx.store.url, ["audit", "--limit", "3", ...login("admin")]);
    expect(res.code).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^\s*ID {2}TIME \(UTC\) +ACCOUNT +ACTION +OUTCOME +NAMESPACE +SUBJECT +ADDRESS +DETAIL$/);
    expect(rows).toHaveLength(3);
    // the failed sign-in: its ESC shows as \x1b, it does not reach the terminal
    const failed = await runCli(fx.store.url, ["audit", "--action", "auth.failed", ...login("admin")]);
    expect(failed.stdout).toContain("\\x1b[31mevil");
    expect(failed.stdout).not.toContain("\u001b");
    expect(failed.stdout).toMatch(/auth\.failed +unauthenticated/);
    const replaced = await runCli(fx.store.url, ["audit", "--action", "schema.replace", ...login("admin")]);
    expect(replaced.stdout).toMatch(/admin +schema\.replace +ok +shop +OrderPlaced v1 +\S+ +reason: id is required$/m);
  });

  it("exits 2 with the store's reason for an account without the audit permission", async () => {
    const res = await runCli(fx.store.url, ["audit", ...login("operator")]);
    expect(res).toMatchObject({ code: 2, stdout: "" });
    expect(res.stderr).toBe(
      'factline: the store refused access: account "operator" may not read the audit log (a role needs "audit": true)\n',
    );
    const anonymous = await runCli(fx.store.url, ["audit"]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/wants credentials/);
  });

  it("exits 2 against a store that keeps no trail, 3 against no store at all", async () => {
    const res = await runCli(plain.url, ["audit", ...login("admin")]);
    expect(res).toMatchObject({ code: 2, stdout: "" });
    expect(res.stderr).toMatch(/this store has no audit trail/);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const gone = await runCli(`http://127.0.0.1:${port}`, ["audit", ...login("admin")]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/cannot reach the store/);
  });

  it.each([
    [["--from", "2025-02-30"], /--from "2025-02-30" is not a calendar day/],
    [
      ["--from", "2025-03-01", "--to", "2025-02-01"],
      /--to \(2025-02-01\) is not after --from \(2025-03-01\): swap them/,
    ],
    [["--to", "2025-03-01T10:00"], /has no time zone: add Z for UTC/],
    [["--from", "last week"], /is neither a day/],
    [["--limit", "0"], /--limit.*a whole number from 1/],
    [["--limit", "-5"], /--limit.*a whole number from 1/],
    [["--limit", "many"], /--limit.*a whole number from 1/],
    [["--action", "schema*.register"], /--action "schema\*\.register" has a \* before its end/],
    [["--account", "x".repeat(300)], /--account is 300 characters long; at most 200/],
  ])("exits 1 for bad flags %j, saying what to fix", async (flags, message) => {
    const res = await runCli(fx.store.url, ["audit", ...flags, ...login("admin")]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(message);
  });
});
