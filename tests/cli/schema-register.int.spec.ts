// `factline schema register` and `schema delete` through the real executable against a real store:
// the candidate check shown before registering, invalid schemas and immutable versions refused with
// exit 2, forced replacements recorded, and the store enforcing registered schemas on publish.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryClient, type RegistryClient } from "../schemas/support.js";
import { fact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { runCli } from "./run-cli.js";

let fixture: StoreFixture;
let url: string;
let dir: string;
/** For setting the scene quickly; what a test is about always goes through the executable. */
let registry: RegistryClient;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("cli_schema_register");
  url = fixture.store.url;
  registry = registryClient(url);
  dir = await mkdtemp(join(tmpdir(), "factline-schema-register-"));
});
afterAll(async () => {
  await fixture?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const USER_V1 = `{
  "type": "object",
  "required": ["name"],
  "properties": { "name": { "type": "string" }, "email": { "type": "string", "format": "email" } }
}
`;
const USER_V2 = `{"type":"object","required":["name","email"],"properties":{"name":{"type":"string"},"email":{"type":"string","format":"email"}}}`;

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** A namespace with User v1 registered and one fact published per payload. */
async function usersWithFacts(
  payloads: unknown[] = [{ name: "a" }, { name: "b", email: "b@x.io" }, { name: "c" }],
): Promise<string> {
  const ns = uniqueName("users");
  await registry.registerSchema({ key: { ns, type: "User", version: 1 }, schemaJson: USER_V1 });
  await publish(
    fixture.client,
    payloads.map((payload) => fact({ ns, type: "User", version: 1, payload })),
  );
  return ns;
}

describe("schema register", () => {
  it("shows the check — classified changes and the dry run over stored facts — then registers with --yes", async () => {
    const ns = await usersWithFacts();
    const res = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "2",
      await file("v2.json", USER_V2),
      "--yes",
      "--description",
      "email required",
    ]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`${ns}/User version 2: a new version`);
    expect(res.stdout).toContain("schema: a valid JSON Schema");
    expect(res.stdout).toContain("changes against version 1: 1 (breaking for writers)");
    // The change row: path, kind, readers mark, writers mark, description.
    expect(res.stdout).toMatch(/^ {2}\/email\s+field_made_required\s+-\s+breaking\s+field \/email made required$/m);
    expect(res.stdout).toContain(`dry run: 2 of 3 stored ${ns}/User facts (all versions) would fail this schema`);
    expect(res.stdout).toMatch(/^ {2}serial \d+ {2}[0-9a-f-]{36} {2}\/email must have required property 'email'$/m);
    expect(res.stdout).toMatch(new RegExp(`^registered ${ns}/User version 2 \\(revision 1\\)$`, "m"));

    const record = JSON.parse((await runCli(url, ["schema", "get", ns, "User", "2", "--json"])).stdout);
    expect(record).toMatchObject({
      ns,
      type: "User",
      version: 2,
      description: "email required",
      revision: 1,
      registeredBy: "anonymous", // the account the store authenticated (open mode)
    });
  });

  it("without a terminal and without --yes, shows the check and refuses (exit 1, nothing registered)", async () => {
    const ns = uniqueName("noyes");
    const res = await runCli(url, ["schema", "register", ns, "User", "1", await file("v1.json", USER_V1)]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`${ns}/User version 1: a new version`);
    expect(res.stderr).toBe(
      "factline: not registered: there is no terminal to confirm on; pass --yes to register without asking (--dry-run to only check)\n",
    );
    expect((await runCli(url, ["schema", "get", ns, "User", "1"])).code).toBe(2);
  });

  it("--json prints the check and the outcome as one JSON object", async () => {
    const ns = await usersWithFacts();
    const res = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "2",
      await file("v2.json", USER_V2),
      "--yes",
      "--json",
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({
      ns,
      type: "User",
      version: 2,
      outcome: "registered",
      schema: { revision: 1, factCount: 0 },
    });
    expect(out.check).toMatchObject({
      schemaValid: true,
      exists: false,
      comparedToVersion: 1,
      breakingForWriters: true,
      dryRun: { checked: 3, failed: 2 },
    });
    expect(out.check.changes).toContainEqual(
      expect.objectContaining({ path: "/email", kind: "field_made_required", breakingForWriters: true }),
    );
    expect(out.check.dryRun.firstFailures[0].errors[0]).toMatchObject({ pointer: "/email", keyword: "required" });
  });

  it("refuses an invalid JSON Schema with its problems located by pointer (exit 2, nothing registered)", async () => {
    const ns = uniqueName("invalid");
    const bad = await file("bad.json", '{"type":"object","properties":{"age":{"type":"integer","minimum":"zero"}}}');
    const res = await runCli(url, ["schema", "register", ns, "T", "1", bad, "--yes"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("schema: NOT a valid JSON Schema (1 problem)");
    expect(res.stdout).toMatch(/^ {2}\/properties\/age\/minimum: must be number$/m);
    expect(res.stderr).toBe(
      "factline: the schema is not a valid JSON Schema (the check lists its problems); nothing was registered\n",
    );
    expect((await runCli(url, ["schema", "list", "--ns", ns, "--json"])).stdout).toBe(
      '{"schemas":[],"withoutSchema":[]}\n',
    );
  });

  it("a file that is not JSON is a usage error (exit 1) before the store is asked", async () => {
    const res = await runCli(url, ["schema", "register", "x", "T", "1", await file("broken.json", '{"type":')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^factline: the schema file .*broken\.json is not valid JSON/);
  });

  it("re-registering the same schema changes nothing; a different one is refused as immutable (exit 2)", async () => {
    const ns = await usersWithFacts();
    const same = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "1",
      await file("v1-compact.json", JSON.stringify(JSON.parse(USER_V1))),
      "--yes",
    ]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("already registered with this schema");
    expect(same.stdout).toContain("nothing to do");

    const other = await runCli(url, ["schema", "register", ns, "User", "1", await file("v2.json", USER_V2), "--yes"]);
    expect(other.code).toBe(2);
    expect(other.stdout).toContain(`${ns}/User version 1: already registered with a different schema`);
    expect(other.stderr).toBe(
      `factline: ${ns}/User version 1 is registered with a different schema; versions are immutable: register version 2, or replace this one with --force --reason <why>\n`,
    );
    expect((await runCli(url, ["schema", "get", ns, "User", "1"])).stdout).toBe(USER_V1);
  });

  it("--force --reason replaces a version and records the earlier revision with the reason", async () => {
    const ns = await usersWithFacts();
    const v2 = await file("v2.json", USER_V2);
    const noReason = await runCli(url, ["schema", "register", ns, "User", "1", v2, "--yes", "--force"]);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/--force needs --reason/);

    const res = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "1",
      v2,
      "--yes",
      "--force",
      "--reason",
      "email is mandatory now",
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^replaced ${ns}/User version 1 \\(revision 2\\)$`, "m"));
    const record = JSON.parse((await runCli(url, ["schema", "get", ns, "User", "1", "--json"])).stdout);
    expect(record.revision).toBe(2);
    expect(record.history).toEqual([
      expect.objectContaining({ revision: 1, reason: "email is mandatory now", schema: JSON.parse(USER_V1) }),
    ]);
  });

  it("--dry-run only shows the check", async () => {
    const ns = await usersWithFacts();
    const res = await runCli(url, ["schema", "register", ns, "User", "2", await file("v2.json", USER_V2), "--dry-run"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("dry run: 2 of 3");
    expect((await runCli(url, ["schema", "get", ns, "User", "2"])).code).toBe(2);
  });

  it("stores examples, and names an example that does not match by its file (exit 2)", async () => {
    const ns = uniqueName("examples");
    const good = await file("good.json", '{"name":"Ada","email":"ada@example.org"}');
    const bad = await file("bad-example.json", '{"email":"nope"}');
    const refused = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "1",
      await file("v1.json", USER_V1),
      "--yes",
      "--example",
      good,
      "--example",
      bad,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^factline: the example .*bad-example\.json does not match the schema: \/name must have required property 'name'/,
    );
    const ok = await runCli(url, [
      "schema",
      "register",
      ns,
      "User",
      "1",
      await file("v1.json", USER_V1),
      "--yes",
      "--example",
      good,
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse((await runCli(url, ["schema", "get", ns, "User", "1", "--json"])).stdout).examples).toEqual([
      { name: "Ada", email: "ada@example.org" },
    ]);
  });
});

describe("the store enforces registered schemas", () => {
  it("factline publish of an invalid fact exits 2 with the validation message, and nothing is written", async () => {
    const ns = await usersWithFacts();
    const res = await runCli(url, ["publish", "--ns", ns, "--type", "User", "--version", "1"], {
      input: '{"name":"ok"}\n{"name":42}\n',
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      new RegExp(
        `^factline: the store rejected the request: FactValidationException: fact\\[1\\] [0-9a-f-]{36} \\(${ns}/User/v1\\): /name must be string$`,
        "m",
      ),
    );
    const read = await runCli(url, ["catchup", "--ns", ns]);
    expect(read.stdout.trim().split("\n")).toHaveLength(3); // only the facts usersWithFacts published
  });
});

describe("schema delete", () => {
  it("deletes a version no fact uses, refuses one in use and an unknown one (exit 2)", async () => {
    const ns = await usersWithFacts();
    await registry.registerSchema({ key: { ns, type: "User", version: 2 }, schemaJson: USER_V2 });

    const inUse = await runCli(url, ["schema", "delete", ns, "User", "1"]);
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toBe(`factline: ${ns}/User version 1 is used by 3 stored facts and cannot be deleted\n`);

    const deleted = await runCli(url, ["schema", "delete", ns, "User", "2"]);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${ns}/User version 2\n` });

    const again = await runCli(url, ["schema", "delete", ns, "User", "2"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`factline: no schema is registered for ${ns}/User version 2\n`);
  });
});
