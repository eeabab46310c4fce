// Reading the registry through the real executable: list (with the types that have facts but no
// schema), get byte for byte, compare, and validate payloads with line numbers and JSON pointers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { ndjson, runCli } from "./run-cli.js";

let fixture: StoreFixture;
let url: string;
const ns = uniqueName("browse");

/** Formatting, key order and a trailing newline that `schema get` must give back exactly. */
const ORDER_V1 = `{
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["orderId", "total"],
    "properties": {
        "orderId": { "type": "string", "format": "uuid" },
        "total":   { "type": "number", "minimum": 0 },
        "note":    { "type": "string" }
    }
}
`;
/** No trailing newline: `schema get` adds one. */
const ORDER_V2 = `{"type":"object","required":["orderId","total","currency"],"properties":{"orderId":{"type":"string","format":"uuid"},"total":{"type":"integer","minimum":0},"currency":{"enum":["EUR","USD"]}}}`;

beforeAll(async () => {
  fixture = await startStoreOnFreshDatabase("cli_schema_browse");
  url = fixture.store.url;
  for (const [version, text] of [
    ["1", ORDER_V1],
    ["2", ORDER_V2],
  ]) {
    const res = await runCli(url, ["schema", "register", ns, "Order", version, "-", "--yes"], { input: text });
    expect(res.code, res.stderr).toBe(0);
  }
  await runCli(url, ["publish", "--ns", ns, "--type", "Order", "--version", "1"], {
    input: '{"orderId":"3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10","total":3}\n',
  });
  // Facts of a type that has no schema at all.
  await runCli(url, ["publish", "--ns", ns, "--type", "AuditNote"], { input: '{"text":"hi"}\n' });
});
afterAll(() => fixture?.close());

describe("schema list", () => {
  it("lists registered versions with fact counts, then the types with facts but no schema", async () => {
    const res = await runCli(url, ["schema", "list", "--ns", ns]);
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE\s+TYPE\s+VERSION\s+FACTS\s+REVISION\s+REGISTERED \(UTC\)\s+BY/);
    expect(lines[1]).toMatch(
      new RegExp(`^${ns}\\s+Order\\s+1\\s+1\\s+1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\S`),
    );
    expect(lines[2]).toMatch(new RegExp(`^${ns}\\s+Order\\s+2\\s+0\\s+1\\s`));
    expect(res.stdout).toContain(`\ntypes with facts but no schema:\n  ${ns}/AuditNote\n`);
  });

  it("--json gives the records and the types without a schema; --type filters", async () => {
    const all = JSON.parse((await runCli(url, ["schema", "list", "--ns", ns, "--json"])).stdout);
    expect(all.schemas.map((s: { version: number }) => s.version)).toEqual([1, 2]);
    expect(all.schemas[0]).toMatchObject({
      ns,
      type: "Order",
      version: 1,
      factCount: 1,
      revision: 1,
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(all.schemas[0].schema).toBeUndefined(); // list results carry no schema text
    expect(all.withoutSchema).toEqual([{ ns, type: "AuditNote" }]);
    const none = JSON.parse((await runCli(url, ["schema", "list", "--ns", ns, "--type", "Nope", "--json"])).stdout);
    expect(none.schemas).toEqual([]);
  });
});

describe("schema get", () => {
  it("prints the schema exactly as registered, byte for byte", async () => {
    const v1 = await runCli(url, ["schema", "get", ns, "Order", "1"]);
    expect(v1).toMatchObject({ code: 0, stderr: "", stdout: ORDER_V1 });
    const v2 = await runCli(url, ["schema", "get", ns, "Order", "2"]);
    expect(v2.stdout).toBe(ORDER_V2 + "\n");
  });

  it("exits 2 for a version that is not registered", async () => {
    const res = await runCli(url, ["schema", "get", ns, "Order", "7"]);
    expect(res).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `factline: no schema is registered for ${ns}/Order version 7\n`,
    });
  });
});

describe("schema compare", () => {
  it("shows each change classified and marked for readers and writers", async () => {
    const res = await runCli(url, ["schema", "compare", ns, "Order", "1", "2"]);
    expect(res.code).toBe(0);
    // Writers of v1-shaped payloads are now rejected (a new required field, no fractions); readers
    // written for v1 cope with every v2 fact: note was optional and an integer is a number.
    expect(res.stdout).toBe(
      [
        `${ns}/Order version 1 → 2: 3 changes, breaking for writers`,
        "  PATH       CHANGE                READERS  WRITERS   DESCRIPTION",
        "  /currency  field_added_required  -        breaking  required field /currency added",
        "  /note      field_removed         -        -         optional field /note removed",
        "  /total     type_narrowed         -        breaking  type of /total narrowed from number to integer",
        "",
      ].join("\n"),
    );
    const json = JSON.parse((await runCli(url, ["schema", "compare", ns, "Order", "1", "2", "--json"])).stdout);
    expect(json).toMatchObject({ ns, type: "Order", from: 1, to: 2, breakingForWriters: true });
    expect(json.changes).toContainEqual(expect.objectContaining({ path: "/total", kind: "type_narrowed" }));
  });
});

describe("schema validate", () => {
  it("exits 0 when every payload is valid: one pretty-printed document or NDJSON", async () => {
    const one = await runCli(url, ["schema", "validate", ns, "Order", "1", "-"], {
      input: '{\n  "orderId": "3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10",\n  "total": 1\n}\n',
    });
    expect(one).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const many = await runCli(url, ["schema", "validate", ns, "Order", "1"], {
      input:
        '{"orderId":"3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10","total":1}\n\n{"orderId":"3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a11","total":0}\n',
    });
    expect(many.code).toBe(0);
  });

  it("exits 2 listing each error with its line number and JSON pointer", async () => {
    const input = [
      '{"orderId":"3f2b8f1e-5c1a-4c8e-9a1b-2f0c5d7e9a10","total":1}',
      '{"orderId":"nope","total":-1}',
      "",
      '{"total":1}',
    ].join("\n");
    const res = await runCli(url, ["schema", "validate", ns, "Order", "1", "-"], { input });
    expect(res.code).toBe(2);
    expect(res.stdout.split("\n")).toEqual([
      'stdin line 2: /orderId must match format "uuid"',
      "stdin line 2: /total must be >= 0",
      "stdin line 4: /orderId must have required property 'orderId'",
      "",
    ]);
    expect(res.stderr).toBe(`factline: 2 of 3 payloads do not validate against ${ns}/Order version 1\n`);

    const json = ndjson(
      (await runCli(url, ["schema", "validate", ns, "Order", "1", "-", "--json"], { input })).stdout,
    ) as unknown as Array<{
      line: number;
      valid: boolean;
      errors: Array<{ pointer: string; keyword: string }>;
    }>;
    expect(json.map((r) => [r.line, r.valid])).toEqual([
      [1, true],
      [2, false],
      [4, false],
    ]);
    expect(json[1].errors.map((e) => [e.pointer, e.keyword])).toEqual([
      ["/orderId", "format"],
      ["/total", "minimum"],
    ]);
  });

  it("a line that is not JSON is a usage error (exit 1) and nothing is validated; an unknown version exits 2", async () => {
    const notJson = await runCli(url, ["schema", "validate", ns, "Order", "1"], { input: '{"total":1}\n{total:1}\n' });
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toBe("");
    expect(notJson.stderr).toMatch(/^factline: stdin line 2: not valid JSON/);
    expect(notJson.stderr).toMatch(/nothing was validated: 1 line is not JSON\n$/);
    const unknown = await runCli(url, ["schema", "validate", ns, "Order", "9"], { input: "{}\n" });
    expect(unknown).toMatchObject({ code: 2, stderr: `factline: no schema is registered for ${ns}/Order version 9\n` });
  });
});
