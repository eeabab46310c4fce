// Moving FactCast registries in and out through the real executable, the schema commands against
// a store without the registry, and the help every schema command carries.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";
import { runCli } from "./run-cli.js";

let fixture: StoreFixture;
let url: string;
let dir: string;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("cli_schema_layout");
  url = fixture.store.url;
  dir = await mkdtemp(join(tmpdir(), "factline-schema-layout-"));
});
afterAll(async () => {
  await fixture?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

async function writeTree(root: string, files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function readTree(root: string, prefix = ""): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, await readTree(root, path));
    else files[path] = await readFile(join(root, path), "utf8");
  }
  return files;
}

/** A deployed FactCast registry: index.json naming each schema file with its MD5. */
function deployedRegistry(ns: string): Record<string, string> {
  const v1 = `{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"}}}`;
  const v2 = `{\n  "type": "object",\n  "required": ["sku", "quantity"],\n  "properties": { "sku": { "type": "string" }, "quantity": { "type": "integer" } }\n}\n`;
  const scheme = (version: number, text: string) => ({
    id: `${ns}/StockAdjusted/${version}/schema.json`,
    ns,
    type: "StockAdjusted",
    version,
    hash: md5(text),
  });
  return {
    "index.json": JSON.stringify({ schemes: [scheme(1, v1), scheme(2, v2)], transformations: [] }, null, 2),
    [`${ns}/StockAdjusted/1/schema.json`]: v1,
    [`${ns}/StockAdjusted/2/schema.json`]: v2,
  };
}

/** The source tree of FactCast's registry CLI: versions/<n>/schema.json with examples beside it. */
function sourceRegistry(ns: string): Record<string, string> {
  return {
    [`${ns}/LeadCreated/index.md`]: "# LeadCreated\n",
    [`${ns}/LeadCreated/versions/1/schema.json`]: `{"type":"object","properties":{"name":{"type":"string"}}}`,
    [`${ns}/LeadCreated/versions/1/examples/acme.json`]: `{"name":"ACME"}`,
    [`${ns}/LeadCreated/versions/2/schema.json`]: `{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}`,
  };
}

describe("schema import and export", () => {
  it("imports a deployed registry and a CLI source tree, and exports them as FactCast's layout", async () => {
    const ns = uniqueName("inv");
    const deployed = await writeTree(join(dir, "deployed"), deployedRegistry(ns));
    const first = await runCli(url, ["schema", "import", deployed]);
    expect(first).toMatchObject({
      code: 0,
      stderr: "",
      stdout:
        "imported 2, unchanged 0, replaced 0, conflicts 0\ntransformations: imported 0, unchanged 0, replaced 0, conflicts 0\n",
    });
    const source = await writeTree(join(dir, "source"), sourceRegistry(ns));
    const second = await runCli(url, ["schema", "import", source, "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      imported: 2,
      unchanged: 0,
      replaced: 0,
      conflicts: [],
      transformations: { imported: 0, unchanged: 0, replaced: 0, conflicts: [] },
    });
    const lead = JSON.parse((await runCli(url, ["schema", "get", ns, "LeadCreated", "1", "--json"])).stdout);
    expect(lead.examples).toEqual([{ name: "ACME" }]);

    const out = join(dir, "exported");
    const exported = await runCli(url, ["schema", "export", out, "--ns", ns]);
    // index.json, four schema.json files and LeadCreated v1's example (examples travel along); the
    // downcasts 2 → 1 the store assumes go into index.json as FactCast's synthetic entries.
    expect(exported).toMatchObject({
      code: 0,
      stdout: `exported 4 schema versions and 2 transformations to ${out} (6 files)\n`,
    });
    const files = await readTree(out);
    expect(
      Object.keys(files)
        .filter((f) => f.includes("/examples/"))
        .map((f) => JSON.parse(files[f])),
    ).toEqual([{ name: "ACME" }]);
    const index = JSON.parse(files["index.json"]);
    expect(index.schemes.map((s: { id: string }) => s.id)).toEqual([
      `${ns}/LeadCreated/1/schema.json`,
      `${ns}/LeadCreated/2/schema.json`,
      `${ns}/StockAdjusted/1/schema.json`,
      `${ns}/StockAdjusted/2/schema.json`,
    ]);
    // Each hash is the MD5 of the file as written, as FactCast's server checks it.
    for (const s of index.schemes) expect(s.hash).toBe(md5(files[s.id]));
    // The same schemas came out that went in (pretty-printed: compare as JSON).
    const imported = { ...deployedRegistry(ns), ...sourceRegistry(ns) };
    expect(JSON.parse(files[`${ns}/StockAdjusted/2/schema.json`])).toEqual(
      JSON.parse(imported[`${ns}/StockAdjusted/2/schema.json`]),
    );
    expect(JSON.parse(files[`${ns}/LeadCreated/2/schema.json`])).toEqual(
      JSON.parse(imported[`${ns}/LeadCreated/versions/2/schema.json`]),
    );

    // The export imports back unchanged: a lossless round trip.
    const back = await runCli(url, ["schema", "import", out]);
    expect(back.stdout).toBe(
      "imported 0, unchanged 4, replaced 0, conflicts 0\ntransformations: imported 0, unchanged 2, replaced 0, conflicts 0\n",
    );
  });

  it("reports conflicts with exit 2 and leaves them, unless --force replaces them", async () => {
    const ns = uniqueName("conflict");
    const registry = deployedRegistry(ns);
    await runCli(url, ["schema", "import", await writeTree(join(dir, `${ns}-a`), registry)]);
    const changed = `{"type":"object","required":["sku"],"properties":{"sku":{"type":"string","minLength":3}}}`;
    const tree = await writeTree(join(dir, `${ns}-b`), { [`${ns}/StockAdjusted/1/schema.json`]: changed });

    const refused = await runCli(url, ["schema", "import", tree]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe(
      `imported 0, unchanged 0, replaced 0, conflicts 1\ntransformations: imported 0, unchanged 0, replaced 0, conflicts 0\nconflict: ${ns}/StockAdjusted version 1 is registered with a different schema; left as it is\n`,
    );
    expect(refused.stderr).toBe(
      "factline: 1 version differs from the registered schema and was not imported; pass --force to replace them\n",
    );
    expect((await runCli(url, ["schema", "get", ns, "StockAdjusted", "1"])).stdout).toBe(
      registry[`${ns}/StockAdjusted/1/schema.json`] + "\n",
    );

    const forced = await runCli(url, ["schema", "import", tree, "--force"]);
    expect(forced).toMatchObject({
      code: 0,
      stdout:
        "imported 0, unchanged 0, replaced 1, conflicts 0\ntransformations: imported 0, unchanged 0, replaced 0, conflicts 0\n",
    });
    expect((await runCli(url, ["schema", "get", ns, "StockAdjusted", "1"])).stdout).toBe(changed + "\n");
  });

  it("names files FactCast would ignore, and refuses a directory without schemas (exit 1)", async () => {
    const ns = uniqueName("stray");
    const files = { ...deployedRegistry(ns), [`${ns}/Orphan/1/schema.json`]: '{"type":"object"}' };
    const res = await runCli(url, ["schema", "import", await writeTree(join(dir, ns), files)]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`^factline: .*/${ns}/Orphan/1/schema.json: not listed in index.json`));
    const empty = join(dir, "empty");
    await mkdir(empty);
    const none = await runCli(url, ["schema", "import", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^factline: found no schemas in /);
  });

  it("export refuses a directory that is not empty unless --force", async () => {
    const out = await writeTree(join(dir, "occupied"), { "notes.txt": "mine\n" });
    const refused = await runCli(url, ["schema", "export", out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty; export into a new or empty directory, or pass --force/);
    const forced = await runCli(url, ["schema", "export", out, "--force"]);
    expect(forced.code).toBe(0);
    const files = await readTree(out);
    expect(files["notes.txt"]).toBe("mine\n");
    expect(files["index.json"]).toBeDefined();
  });
});

describe("against a store without the schema registry", () => {
  let db: TestDatabase;
  let plain: RunningStore;
  beforeAll(async () => {
    db = await createTestDatabase(inject("pgAdminUrl"), "cli_schema_plain");
    plain = await startStore({ databaseUrl: db.url, env: { FACTLINE_ADMIN_SERVICES: "off" } });
  });
  afterAll(async () => {
    await plain?.stop();
    await db?.drop();
  });

  it.each([
    [["schema", "list"]],
    [["schema", "get", "shop", "OrderPlaced", "1"]],
    [["schema", "register", "shop", "OrderPlaced", "1", "-", "--yes"]],
    [["schema", "export", "/nonexistent-factline-export"]],
  ])("factline %j exits 2 with one line saying so", async (args) => {
    const res = await runCli(plain.url, args, { input: '{"type":"object"}' });
    expect(res).toMatchObject({
      code: 2,
      stdout: "",
      stderr:
        "factline: this store has no schema registry (factline admin services are off or it is a plain FactCast server)\n",
    });
  });
});

describe("help and usage", () => {
  const SUBCOMMANDS = ["register", "list", "get", "validate", "compare", "delete", "import", "export"];

  it("factline --help lists schema; schema --help lists its commands", async () => {
    expect((await runCli(undefined, ["--help"])).stdout).toMatch(/^ {2}schema\b/m);
    const res = await runCli(undefined, ["schema", "--help"]);
    expect(res.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(res.stdout).toMatch(new RegExp(`^ {2}${name}\\b`, "m"));
  });

  it.each(SUBCOMMANDS)("schema %s --help explains the command with examples", async (name) => {
    const res = await runCli(undefined, ["schema", name, "--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: factline schema ${name}`));
    expect(res.stdout).toMatch(new RegExp(`Examples:\\n {2}\\$ factline schema ${name}\\b`));
  });

  it.each([
    [["schema", "get", "shop", "OrderPlaced", "0"], /expected a version: a whole number from 1/],
    [["schema", "get", "shop"], /missing required argument 'type'/],
    [["schema", "register", "shop", "T", "1", "-", "--reason", "x"], /--reason only applies with --force/],
    [
      ["schema", "register", "shop", "T", "1", "/nonexistent/schema.json"],
      /cannot read \/nonexistent\/schema.json: no such file/,
    ],
    [["schema", "import", "/nonexistent-registry"], /cannot read \/nonexistent-registry: no such directory/],
  ])("factline %j exits 1", async (args, message) => {
    const res = await runCli(undefined, args as string[]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
  });
});
