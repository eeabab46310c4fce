import { describe, expect, it } from "vitest";
import { readRegistryLayout, writeRegistryLayout, type LayoutSchema } from "./layout";
import { md5, userCreatedV1, userCreatedV2 } from "./test-fixtures";

/** Schemas as a registry would hand them over: compact text, in no particular order. */
const SCHEMAS: LayoutSchema[] = [
  {
    ns: "users",
    type: "UserCreated",
    version: 2,
    schemaText: JSON.stringify(userCreatedV2),
    examples: ['{"firstName":"Ada","salutation":"Mrs"}'],
  },
  {
    ns: "orders",
    type: "OrderPlaced",
    version: 1,
    schemaText: '{"type":"object","properties":{"total":{"type":"number"}}}',
  },
  {
    ns: "users",
    type: "UserCreated",
    version: 1,
    schemaText: JSON.stringify(userCreatedV1),
    examples: ['{"firstName":"Ada"}', '{"firstName":"Grace","lastName":"Hopper"}'],
  },
  { ns: "users", type: "UserDeleted", version: 10, schemaText: "true" },
];

/** What reading gives back, compared by meaning: the text is reformatted on the way out. */
function parsed(schemas: LayoutSchema[]) {
  return schemas.map((s) => ({
    key: `${s.ns}/${s.type}/${s.version}`,
    schema: JSON.parse(s.schemaText),
    examples: s.examples?.map((e) => JSON.parse(e)),
  }));
}

describe("writeRegistryLayout", () => {
  it("writes index.json first, then every file in path order", () => {
    expect(Object.keys(writeRegistryLayout(SCHEMAS))).toEqual([
      "index.json",
      "orders/OrderPlaced/1/schema.json",
      "users/UserCreated/1/examples/1.json",
      "users/UserCreated/1/examples/2.json",
      "users/UserCreated/1/schema.json",
      "users/UserCreated/2/examples/1.json",
      "users/UserCreated/2/schema.json",
      "users/UserDeleted/10/schema.json",
    ]);
  });

  it("writes FactCast's index.json, hashing each schema file exactly as written", () => {
    const files = writeRegistryLayout(SCHEMAS);
    const index = JSON.parse(files["index.json"]);
    expect(index.transformations).toEqual([]);
    expect(index.schemes.map((s: { id: string }) => s.id)).toEqual([
      "orders/OrderPlaced/1/schema.json",
      "users/UserCreated/1/schema.json",
      "users/UserCreated/2/schema.json",
      "users/UserDeleted/10/schema.json",
    ]);
    for (const scheme of index.schemes) {
      expect(Object.keys(scheme)).toEqual(["id", "ns", "type", "version", "hash"]);
      expect(scheme.hash).toBe(md5(files[scheme.id]));
      expect(scheme.id).toBe(`${scheme.ns}/${scheme.type}/${scheme.version}/schema.json`);
    }
    expect(files["index.json"]).toBe(`${JSON.stringify(index, null, 2)}\n`);
  });

  it("pretty-prints schema and example files with two spaces and a trailing newline, keeping key order", () => {
    const files = writeRegistryLayout(SCHEMAS);
    expect(files["orders/OrderPlaced/1/schema.json"]).toBe(
      '{\n  "type": "object",\n  "properties": {\n    "total": {\n      "type": "number"\n    }\n  }\n}\n',
    );
    expect(files["users/UserCreated/1/examples/2.json"]).toBe(
      '{\n  "firstName": "Grace",\n  "lastName": "Hopper"\n}\n',
    );
  });

  it("writes an empty registry as an index with no schemes", () => {
    expect(writeRegistryLayout([])).toEqual({ "index.json": '{\n  "schemes": [],\n  "transformations": []\n}\n' });
  });

  it("refuses what a registry should never hold, saying which schema", () => {
    const ok = { ns: "users", type: "UserCreated", version: 1, schemaText: "{}" };
    expect(() => writeRegistryLayout([{ ...ok, ns: "a/b" }])).toThrow(/directory names/);
    expect(() => writeRegistryLayout([{ ...ok, type: ".." }])).toThrow(/directory names/);
    expect(() => writeRegistryLayout([{ ...ok, version: 0 }])).toThrow(/positive integer/);
    expect(() => writeRegistryLayout([ok, ok])).toThrow("cannot export users/UserCreated version 1 twice");
    expect(() => writeRegistryLayout([{ ...ok, schemaText: "{" }])).toThrow(
      /users\/UserCreated version 1: its schema is not JSON/,
    );
  });
});

describe("readRegistryLayout round trip", () => {
  it("reads back what was written", () => {
    const { schemas, problems } = readRegistryLayout(writeRegistryLayout(SCHEMAS));
    expect(problems).toEqual([]);
    const expected = parsed(SCHEMAS).sort((x, y) => (x.key < y.key ? -1 : 1));
    // users/UserDeleted/10 sorts after UserCreated: versions and types are not compared as text.
    expect(parsed(schemas)).toEqual(expected);
  });

  it("is a fixed point: writing what was read gives the same files", () => {
    const files = writeRegistryLayout(SCHEMAS);
    const { schemas } = readRegistryLayout(files);
    expect(writeRegistryLayout(schemas)).toEqual(files);
    // The text read is the file itself, so its MD5 is the hash index.json carries.
    const index = JSON.parse(files["index.json"]);
    for (const s of schemas) {
      const scheme = index.schemes.find(
        (e: LayoutSchema) => e.ns === s.ns && e.type === s.type && e.version === s.version,
      );
      expect(md5(s.schemaText)).toBe(scheme.hash);
    }
  });

  it("orders versions numerically", () => {
    const many = [2, 10, 1].map((version) => ({ ns: "a", type: "T", version, schemaText: "{}" }));
    expect(readRegistryLayout(writeRegistryLayout(many)).schemas.map((s) => s.version)).toEqual([1, 2, 10]);
  });
});

/** A registry as FactCast's CLI deploys it: tab-indented index, transformations, a synthetic one. */
describe("readRegistryLayout without index.json", () => {
  it("discovers <ns>/<type>/<version>/schema.json, with examples beside them", () => {
    const { schemas, problems } = readRegistryLayout({
      "users/UserCreated/1/schema.json": "{}",
      "users/UserCreated/2/schema.json": '{"type":"object"}',
      "users/UserCreated/2/examples/1.json": '{"a":1}',
      "users/UserCreated/1-2/transform.js": "function (e) {}",
      "README.md": "# registry",
    });
    expect(schemas).toEqual([
      { ns: "users", type: "UserCreated", version: 1, schemaText: "{}" },
      { ns: "users", type: "UserCreated", version: 2, schemaText: '{"type":"object"}', examples: ['{"a":1}'] },
    ]);
    expect(problems).toEqual([]);
  });

  it("a version directory that is not a positive integer, or a schema out of place: an error each", () => {
    const { schemas, problems } = readRegistryLayout({
      "users/UserCreated/v1/schema.json": "{}",
      "users/UserCreated/0/schema.json": "{}",
      "users/schema.json": "{}",
      "a/b/c/d/schema.json": "{}",
    });
    expect(schemas).toEqual([]);
    expect(problems).toEqual([
      {
        path: "a/b/c/d/schema.json",
        severity: "error",
        message:
          "not where a schema belongs; move it to <ns>/<type>/<version>/schema.json (or the CLI's <ns>/<Type>/versions/<version>/schema.json)",
      },
      {
        path: "users/UserCreated/0/schema.json",
        severity: "error",
        message: 'version directory "0" is not a version; name it by a positive integer (1, 2, …)',
      },
      {
        path: "users/UserCreated/v1/schema.json",
        severity: "error",
        message: 'version directory "v1" is not a version; name it by a positive integer (1, 2, …)',
      },
      {
        path: "users/schema.json",
        severity: "error",
        message:
          "not where a schema belongs; move it to <ns>/<type>/<version>/schema.json (or the CLI's <ns>/<Type>/versions/<version>/schema.json)",
      },
    ]);
  });

  it("reads the CLI's source layout with its examples (in natural order, skipping broken ones) and transformations", () => {
    const { schemas, transformations, problems } = readRegistryLayout({
      "index.md": "# Our registry",
      "Users/index.md": "Users",
      "Users/UserCreated/index.md": "A user was created",
      "Users/UserCreated/versions/1/index.md": "first",
      "Users/UserCreated/versions/1/schema.json": JSON.stringify(userCreatedV1),
      "Users/UserCreated/versions/1/examples/simple.json": '{"firstName":"Ada"}',
      "Users/UserCreated/versions/2/schema.json": JSON.stringify(userCreatedV2),
      "Users/UserCreated/versions/2/examples/10.json": '{"n":10}',
      "Users/UserCreated/versions/2/examples/2.json": '{"n":2}',
      "Users/UserCreated/versions/2/examples/broken.json": "{",
      "Users/UserCreated/versions/2/examples/notes.md": "not an example",
      "Users/UserCreated/transformations/1-2/transform.js": "function (e) { e.salutation = 'NA' }",
    });
    expect(schemas).toEqual([
      {
        ns: "Users",
        type: "UserCreated",
        version: 1,
        schemaText: JSON.stringify(userCreatedV1),
        examples: ['{"firstName":"Ada"}'],
      },
      {
        ns: "Users",
        type: "UserCreated",
        version: 2,
        schemaText: JSON.stringify(userCreatedV2),
        examples: ['{"n":2}', '{"n":10}'],
      },
    ]);
    expect(transformations).toEqual([
      { ns: "Users", type: "UserCreated", from: 1, to: 2, code: "function (e) { e.salutation = 'NA' }" },
    ]);
    expect(problems.map((p) => [p.path, p.severity, p.message.replace(/\(.*\)/, "(…)")])).toEqual([
      [
        "Users/UserCreated/versions/2/examples/broken.json",
        "warning",
        "example is not valid JSON (…); it was left out — fix the file to import it",
      ],
    ]);
  });

  it("the same version in both layouts: the first path wins, the other is an error", () => {
    const { schemas, problems } = readRegistryLayout({
      "users/UserCreated/1/schema.json": "{}",
      "users/UserCreated/versions/1/schema.json": "true",
    });
    expect(schemas.map((s) => s.schemaText)).toEqual(["{}"]);
    expect(problems).toEqual([
      {
        path: "users/UserCreated/versions/1/schema.json",
        severity: "error",
        message:
          "users/UserCreated version 1 is already defined by users/UserCreated/1/schema.json; remove one of them",
      },
    ]);
  });

  it("nothing at all: no schemas, no problems", () => {
    expect(readRegistryLayout({})).toEqual({ schemas: [], transformations: [], problems: [] });
  });
});
