// `factline schema transform …` through the real executable: the check shown before registering,
// register/list/get/check/delete, a FactCast registry with transformations imported and exported,
// the usage errors (exit 1), the store's refusals (exit 2), and the help every command carries.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { runCli } from "./run-cli.js";

let fx: StoreFixture;
let url: string;
let dir: string;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("cli_schema_transform");
  url = fx.store.url;
  dir = await mkdtemp(join(tmpdir(), "factline-schema-transform-"));
}, 90_000);
afterAll(async () => {
  await fx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
const V1 = `{"type":"object","required":["firstName"],"properties":{"firstName":{"type":"string"}}}`;
const V2 = `{"type":"object","required":["firstName","salutation"],"properties":{"salutation":{"enum":["Mr","Mrs","NA"]}}}`;
const UPCAST = `function transform(event) {\n  event.salutation = "NA"\n}\n`;

async function writeFiles(root: string, files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** A type with schemas 1 and 2, registered through the CLI, and the 1 → 2 code in a file. */
async function userType(): Promise<{ ns: string; codeFile: string }> {
  const ns = uniqueName("cli-users");
  const files = await writeFiles(join(dir, ns), { "v1.json": V1, "v2.json": V2, "1-2.js": UPCAST });
  for (const v of [1, 2]) {
    const res = await runCli(url, [
      "schema",
      "register",
      ns,
      "UserCreated",
      String(v),
      join(files, `v${v}.json`),
      "--yes",
    ]);
    expect(res.code, res.stderr).toBe(0);
  }
  return { ns, codeFile: join(files, "1-2.js") };
}

// Each case runs the executable up to ten times; each start compiles the CLI (a second or more on a busy machine).
const MANY_RUNS = { timeout: 240_000 };

describe("schema transform register, list, get, check, delete", MANY_RUNS, () => {
  it("shows the check, registers with --yes, and gives the code back exactly", async () => {
    const { ns, codeFile } = await userType();
    await publish(fx.client, [fact({ ns, type: "UserCreated", version: 1, payload: { firstName: "Ada" } })]);
    const res = await runCli(url, ["schema", "transform", "register", ns, "UserCreated", "1", "2", codeFile, "--yes"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      [
        `${ns}/UserCreated 1 → 2 (upcast): a new transformation`,
        "code: compiles to a function",
        "target: version 2 has a schema; every result is validated against it",
        "check: 1 of 1 pass (0 registered examples of version 1, 1 stored fact of version 1)",
        `registered ${ns}/UserCreated 1 → 2 (revision 1)`,
        "",
      ].join("\n"),
    );
    const got = await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2"]);
    expect(got).toMatchObject({ code: 0, stdout: UPCAST });
    const json = JSON.parse(
      (await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2", "--json"])).stdout,
    );
    expect(json).toMatchObject({
      from: 1,
      to: 2,
      kind: "upcast",
      code: UPCAST,
      revision: 1,
      hash: md5(UPCAST),
      history: [],
    });

    const again = await runCli(url, [
      "schema",
      "transform",
      "register",
      ns,
      "UserCreated",
      "1",
      "2",
      codeFile,
      "--yes",
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to do: this transformation is registered with exactly this code");
  });

  it("lists registered and synthetic transformations and the missing upcasts, as a table and as JSON", async () => {
    const { ns } = await userType();
    const v3 = await writeFiles(join(dir, `${ns}-v3`), { "v3.json": V2 });
    await runCli(url, ["schema", "register", ns, "UserCreated", "3", join(v3, "v3.json"), "--yes"]);
    await runCli(url, ["schema", "transform", "register", ns, "UserCreated", "3", "2", "--yes"]);
    const listed = JSON.parse((await runCli(url, ["schema", "transform", "list", "--ns", ns, "--json"])).stdout);
    expect(
      listed.transformations.map((t: { from: number; to: number; synthetic: boolean }) => [t.from, t.to, t.synthetic]),
    ).toEqual([
      [2, 1, true],
      [3, 2, false],
    ]);
    expect(listed.missing.map((m: { from: number; to: number }) => [m.from, m.to])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    const text = await runCli(url, ["schema", "transform", "list", "--ns", ns]);
    expect(text.stdout).toMatch(/^NAMESPACE +TYPE +FROM +TO +KIND +CODE/);
    expect(text.stdout).toMatch(/ 2 +1 +downcast +synthetic\b/);
    expect(text.stdout).toContain(`missing upcasts:\n  ${ns}/UserCreated 1 → 2: no upcast from version 1 to 2`);
    const identity = await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "3", "2"]);
    expect(identity).toMatchObject({ code: 0, stdout: "" });
    expect(identity.stderr).toContain("has no code: the payload passes unchanged");
  });

  it("check exits 2 when payloads fail, naming them; 0 when all pass", async () => {
    const { ns, codeFile } = await userType();
    await publish(fx.client, [fact({ ns, type: "UserCreated", version: 1, payload: { firstName: "Ada" } })]);
    const bad = await writeFiles(join(dir, `${ns}-bad`), { "bad.js": `function (e) { e.salutation = "Sir"; }` });
    const failing = await runCli(url, [
      "schema",
      "transform",
      "check",
      ns,
      "UserCreated",
      "1",
      "2",
      join(bad, "bad.js"),
    ]);
    expect(failing.code).toBe(2);
    expect(failing.stdout).toContain("check: 0 of 1 pass");
    expect(failing.stdout).toMatch(
      /fact \d+ [0-9a-f-]{36}: the result does not match the schema of version 2\n {4}\/salutation /,
    );
    expect(failing.stderr).toBe("factline: 1 of 1 checked payloads fail\n");
    const passing = await runCli(url, [
      "schema",
      "transform",
      "check",
      ns,
      "UserCreated",
      "1",
      "2",
      codeFile,
      "--json",
    ]);
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout)).toMatchObject({ compiles: true, checked: 1, passed: 1, failed: 0 });
  });

  it("refuses code that does not compile (exit 2, nothing registered), and other code without --force", async () => {
    const { ns, codeFile } = await userType();
    const broken = await writeFiles(join(dir, `${ns}-broken`), { "broken.js": "function (e) { e.x = ; }" });
    const res = await runCli(url, [
      "schema",
      "transform",
      "register",
      ns,
      "UserCreated",
      "1",
      "2",
      join(broken, "broken.js"),
      "--yes",
    ]);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/code: does NOT compile: SyntaxError/);
    expect(res.stderr).toBe("factline: the code does not compile (the check says why); nothing was registered\n");
    expect((await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2"])).code).toBe(2);

    await runCli(url, ["schema", "transform", "register", ns, "UserCreated", "1", "2", codeFile, "--yes"]);
    const other = await writeFiles(join(dir, `${ns}-other`), { "other.js": `function (e) { e.salutation = "Mr"; }` });
    const conflict = await runCli(url, [
      "schema",
      "transform",
      "register",
      ns,
      "UserCreated",
      "1",
      "2",
      join(other, "other.js"),
      "--yes",
    ]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain("registered code is immutable: replace it with --force --reason <why>");
    const forced = await runCli(url, [
      "schema",
      "transform",
      "register",
      ns,
      "UserCreated",
      "1",
      "2",
      join(other, "other.js"),
      "--force",
      "--reason",
      "Mr by default",
      "--yes",
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`replaced ${ns}/UserCreated 1 → 2 (revision 2)`);
    const history = JSON.parse(
      (await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2", "--json"])).stdout,
    ).history;
    expect(history).toMatchObject([{ revision: 1, code: UPCAST, reason: "Mr by default" }]);

    const deleted = await runCli(url, ["schema", "transform", "delete", ns, "UserCreated", "1", "2"]);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${ns}/UserCreated 1 → 2\n` });
    const again = await runCli(url, ["schema", "transform", "delete", ns, "UserCreated", "1", "2"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("no transformation is registered for");
  });

  it("without a terminal, registering needs --yes (exit 1, nothing registered)", async () => {
    const { ns, codeFile } = await userType();
    const res = await runCli(url, ["schema", "transform", "register", ns, "UserCreated", "1", "2", codeFile]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("pass --yes to register without asking");
    expect((await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2"])).code).toBe(2);
  });
});

describe("a FactCast registry with transformations", MANY_RUNS, () => {
  it("imports transform.js files and synthetic downcasts, reports the counts, and exports them back", async () => {
    const ns = uniqueName("cli-import");
    const scheme = (v: number, text: string) => ({
      id: `${ns}/UserCreated/${v}/schema.json`,
      ns,
      type: "UserCreated",
      version: v,
      hash: md5(text),
    });
    const downcast = "function (e) { delete e.salutation; }\n";
    const registry = await writeFiles(join(dir, `${ns}-registry`), {
      "index.json": JSON.stringify({
        schemes: [scheme(1, V1), scheme(2, V2), scheme(3, V2)],
        transformations: [
          { id: `${ns}/UserCreated/1-2/transform.js`, ns, type: "UserCreated", from: 1, to: 2, hash: md5(UPCAST) },
          { id: `${ns}/UserCreated/2-1/transform.js`, ns, type: "UserCreated", from: 2, to: 1, hash: md5(downcast) },
          { id: `synthetic/${ns}/UserCreated/3-2/transform.js`, ns, type: "UserCreated", from: 3, to: 2 },
          { id: `synthetic/${ns}/UserCreated/3-1/transform.js`, ns, type: "UserCreated", from: 3, to: 1 },
        ],
      }),
      [`${ns}/UserCreated/1/schema.json`]: V1,
      [`${ns}/UserCreated/2/schema.json`]: V2,
      [`${ns}/UserCreated/3/schema.json`]: V2,
      [`${ns}/UserCreated/1-2/transform.js`]: UPCAST,
      [`${ns}/UserCreated/2-1/transform.js`]: downcast,
    });
    const res = await runCli(url, ["schema", "import", registry]);
    expect(res.code, res.stderr).toBe(0);
    // 3 → 2 is the downcast the store assumes anyway; 3 → 1 skips a version, so it is registered.
    expect(res.stdout).toBe(
      "imported 3, unchanged 0, replaced 0, conflicts 0\ntransformations: imported 3, unchanged 1, replaced 0, conflicts 0\n",
    );
    expect((await runCli(url, ["schema", "transform", "get", ns, "UserCreated", "1", "2"])).stdout).toBe(UPCAST);

    const out = join(dir, `${ns}-export`);
    const exported = await runCli(url, ["schema", "export", out, "--ns", ns]);
    expect(exported.stdout).toBe(`exported 3 schema versions and 4 transformations to ${out} (6 files)\n`);
    const index = JSON.parse(await readFile(join(out, "index.json"), "utf8"));
    expect(index.transformations.map((t: { id: string }) => t.id)).toEqual([
      `${ns}/UserCreated/1-2/transform.js`,
      `${ns}/UserCreated/2-1/transform.js`,
      `synthetic/${ns}/UserCreated/3-1/transform.js`,
      `synthetic/${ns}/UserCreated/3-2/transform.js`,
    ]);
    expect(await readFile(join(out, `${ns}/UserCreated/2-1/transform.js`), "utf8")).toBe(downcast);
    const back = await runCli(url, ["schema", "import", out]);
    expect(back.stdout).toBe(
      "imported 0, unchanged 3, replaced 0, conflicts 0\ntransformations: imported 0, unchanged 4, replaced 0, conflicts 0\n",
    );
  });

  it("refuses the whole import when a transform.js does not compile or its target has no schema", async () => {
    const ns = uniqueName("cli-import-bad");
    const registry = await writeFiles(join(dir, `${ns}-registry`), {
      [`${ns}/UserCreated/1/schema.json`]: V1,
      [`${ns}/UserCreated/1-2/transform.js`]: "function (e) {}",
      [`${ns}/UserCreated/2-1/transform.js`]: "function (e) {",
    });
    const res = await runCli(url, ["schema", "import", registry]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${ns}/UserCreated/1-2/transform.js: no schema for version 2`);
    expect(res.stderr).toContain(`${ns}/UserCreated/2-1/transform.js: does not compile`);
    expect((await runCli(url, ["schema", "list", "--ns", ns, "--json"])).stdout).toContain('"schemas":[]');
  });
});

describe("help and usage", () => {
  const SUBCOMMANDS = ["register", "list", "get", "check", "delete"];

  it("schema transform --help lists its commands", async () => {
    expect((await runCli(undefined, ["schema", "--help"])).stdout).toMatch(/^ {2}transform\b/m);
    const res = await runCli(undefined, ["schema", "transform", "--help"]);
    expect(res.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(res.stdout).toMatch(new RegExp(`^ {2}${name}\\b`, "m"));
  });

  it.each(SUBCOMMANDS)("schema transform %s --help explains the command with examples", async (name) => {
    const res = await runCli(undefined, ["schema", "transform", name, "--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: factline schema transform ${name}`));
    expect(res.stdout).toMatch(new RegExp(`Examples:\\n {2}\\$ factline schema transform ${name}\\b`));
  });

  it.each([
    [["schema", "transform", "register", "users", "T", "1", "2"], /an upcast \(1 → 2\) needs code/],
    [["schema", "transform", "register", "users", "T", "2", "2", "x.js"], /a transformation changes the version/],
    [["schema", "transform", "get", "users", "T", "0", "2"], /expected a version: a whole number from 1/],
    [
      ["schema", "transform", "register", "users", "T", "2", "1", "--reason", "x"],
      /--reason only applies with --force/,
    ],
    [["schema", "transform", "register", "users", "T", "2", "1", "--force"], /--force needs --reason/],
    [
      ["schema", "transform", "check", "users", "T", "1", "2", "/nonexistent/1-2.js"],
      /cannot read \/nonexistent\/1-2.js: no such file/,
    ],
    [
      ["schema", "transform", "check", "users", "T", "1", "2", "-", "--sample", "many"],
      /--sample must be a whole number/,
    ],
  ])("factline %j exits 1", async (args, message) => {
    const res = await runCli(undefined, args as string[]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
  });
});
