import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readRegistryLayout, writeRegistryLayout, type LayoutSchema } from "./layout";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

const userCreatedV1 = {
  type: "object",
  properties: { firstName: { type: "string" }, lastName: { type: "string" } },
  required: ["firstName"],
};
const userCreatedV2 = {
  ...userCreatedV1,
  properties: { ...userCreatedV1.properties, salutation: { enum: ["Mr", "Mrs", "NA"] } },
};

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
function factcastRegistry() {
  const v1 = JSON.stringify(userCreatedV1, null, "\t");
  const v2 = JSON.stringify(userCreatedV2, null, "\t");
  const v3 = JSON.stringify({ ...userCreatedV2, required: ["firstName", "lastName"] }, null, "\t");
  const changed = '{"type":"object","properties":{"userId":{"type":"string","format":"uuid"}},"required":["userId"]}';
  const scheme = (ns: string, type: string, version: number, text: string) => ({
    id: `${ns}/${type}/${version}/schema.json`,
    ns,
    type,
    version,
    hash: md5(text),
  });
  const index = {
    schemes: [
      scheme("Users", "UserCreated", 1, v1),
      scheme("Users", "UserCreated", 2, v2),
      scheme("Users", "UserCreated", 3, v3),
      scheme("users", "UserChanged", 1, changed),
    ],
    transformations: [
      { id: "Users/UserCreated/1-2/transform.js", ns: "Users", type: "UserCreated", from: 1, to: 2, hash: md5("a") },
      { id: "Users/UserCreated/3-2/transform.js", ns: "Users", type: "UserCreated", from: 3, to: 2, hash: md5("b") },
      { id: "Users/UserCreated/2-3/transform.js", ns: "Users", type: "UserCreated", from: 2, to: 3, hash: md5("c") },
      { ns: "Users", type: "UserCreated", from: 2, to: 1, id: "synthetic/Users/UserCreated/2-1/transform.js" },
    ],
  };
  return {
    "index.json": JSON.stringify(index, null, "\t"),
    "Users/UserCreated/1/schema.json": v1,
    "Users/UserCreated/2/schema.json": v2,
    "Users/UserCreated/3/schema.json": v3,
    "users/UserChanged/1/schema.json": changed,
    "Users/UserCreated/1-2/transform.js": "function (e) { e.salutation = 'NA' }",
    "Users/UserCreated/3-2/transform.js": "function (e) {}",
    "Users/UserCreated/2-3/transform.js": "function (e) { e.lastName = e.lastName || '' }",
  } as Record<string, string>;
}

describe("readRegistryLayout on a FactCast registry", () => {
  it("imports every scheme and every transformation as its file says, synthetic ones without code", () => {
    const files = factcastRegistry();
    const { schemas, transformations, problems } = readRegistryLayout(files);
    expect(schemas.map((s) => `${s.ns}/${s.type}/${s.version}`)).toEqual([
      "Users/UserCreated/1",
      "Users/UserCreated/2",
      "Users/UserCreated/3",
      "users/UserChanged/1",
    ]);
    expect(schemas[0].schemaText).toBe(files["Users/UserCreated/1/schema.json"]);
    expect(schemas.every((s) => s.examples === undefined)).toBe(true);
    expect(transformations).toEqual([
      { ns: "Users", type: "UserCreated", from: 1, to: 2, code: files["Users/UserCreated/1-2/transform.js"] },
      { ns: "Users", type: "UserCreated", from: 2, to: 1 },
      { ns: "Users", type: "UserCreated", from: 2, to: 3, code: files["Users/UserCreated/2-3/transform.js"] },
      { ns: "Users", type: "UserCreated", from: 3, to: 2, code: files["Users/UserCreated/3-2/transform.js"] },
    ]);
    // The fixture's hashes are of other texts: each is a warning, the file wins.
    expect(problems.map((p) => [p.path, p.severity])).toEqual([
      ["Users/UserCreated/1-2/transform.js", "warning"],
      ["Users/UserCreated/2-3/transform.js", "warning"],
      ["Users/UserCreated/3-2/transform.js", "warning"],
    ]);
    expect(problems[0].message).toContain("imported as the file says");
  });

  it("reports transformation entries it cannot import, and transform.js files index.json does not list", () => {
    const files = factcastRegistry();
    const index = JSON.parse(files["index.json"]);
    index.transformations = [
      { id: "Users/UserCreated/1-2/transform.js" },
      { id: "Users/UserCreated/4-5/transform.js", ns: "Users", type: "UserCreated", from: 4, to: 5 },
      { id: "synthetic/Users/UserCreated/1-3/transform.js" },
      { id: "Users/UserCreated/2-2/transform.js", ns: "Users", type: "UserCreated", from: 2, to: 2 },
      { ns: "Users", type: "UserCreated", from: 1, to: 2 },
      { id: "Users/UserCreated/1-2/transform.js", ns: "Users", type: "UserCreated", from: 1, to: 3 },
    ];
    files["index.json"] = JSON.stringify(index);
    const { transformations, problems } = readRegistryLayout(files);
    expect(transformations.map((t) => `${t.from}-${t.to}`)).toEqual(["1-2"]);
    const messages = problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);
    // Ordered by path, as every problem list is.
    expect(messages).toEqual([
      expect.stringMatching(
        /^error Users\/UserCreated\/1-2\/transform.js: .*says Users\/UserCreated 1 → 3 but the path says Users\/UserCreated 1 → 2/,
      ),
      expect.stringMatching(/^error Users\/UserCreated\/2-2\/transform.js: .*both must be different positive integers/),
      expect.stringMatching(/^warning Users\/UserCreated\/2-3\/transform.js: not listed in index.json/),
      expect.stringMatching(/^warning Users\/UserCreated\/3-2\/transform.js: not listed in index.json/),
      expect.stringMatching(
        /^error Users\/UserCreated\/4-5\/transform.js: listed in index.json but the file is missing/,
      ),
      expect.stringMatching(/^error index.json: .*"transformations"\[4\] has no "id"/),
      expect.stringMatching(/^error synthetic\/Users\/UserCreated\/1-3\/transform.js: .*synthetic upcast/),
    ]);
  });

  it("without index.json, finds transform.js by path, in the deployed and the CLI's source layout", () => {
    const { transformations, problems } = readRegistryLayout({
      "users/UserCreated/1/schema.json": "{}",
      "users/UserCreated/1-2/transform.js": "function (e) {}",
      "shop/Order/versions/1/schema.json": "{}",
      "shop/Order/transformations/2-1/transform.js": "function (e) { delete e.x; }",
      "shop/Order/elsewhere/transform.js": "function (e) {}",
    });
    expect(transformations).toEqual([
      { ns: "shop", type: "Order", from: 2, to: 1, code: "function (e) { delete e.x; }" },
      { ns: "users", type: "UserCreated", from: 1, to: 2, code: "function (e) {}" },
    ]);
    expect(problems.map((p) => [p.path, p.severity])).toEqual([["shop/Order/elsewhere/transform.js", "error"]]);
  });

  it("writes transformations as files with hashes, downcasts without code as synthetic entries, and reads them back", () => {
    const transformations = [
      { ns: "users", type: "UserCreated", from: 3, to: 2 },
      { ns: "users", type: "UserCreated", from: 1, to: 2, code: "function (e) { e.salutation = 'NA'; }\n" },
    ];
    const files = writeRegistryLayout(
      [{ ns: "users", type: "UserCreated", version: 1, schemaText: "{}" }],
      transformations,
    );
    expect(JSON.parse(files["index.json"]).transformations).toEqual([
      {
        id: "users/UserCreated/1-2/transform.js",
        ns: "users",
        type: "UserCreated",
        from: 1,
        to: 2,
        hash: md5(transformations[1].code!),
      },
      { id: "synthetic/users/UserCreated/3-2/transform.js", ns: "users", type: "UserCreated", from: 3, to: 2 },
    ]);
    expect(files["users/UserCreated/1-2/transform.js"]).toBe(transformations[1].code);
    const back = readRegistryLayout(files);
    expect(back.problems).toEqual([]);
    expect(back.transformations).toEqual([transformations[1], transformations[0]]);
  });

  it("tolerates ids starting with ./ or /, and file keys too", () => {
    const files = factcastRegistry();
    const index = JSON.parse(files["index.json"]);
    index.schemes[0].id = `./${index.schemes[0].id}`;
    index.schemes[1].id = `/${index.schemes[1].id}`;
    files["index.json"] = JSON.stringify(index);
    files["./users/UserChanged/1/schema.json"] = files["users/UserChanged/1/schema.json"];
    delete files["users/UserChanged/1/schema.json"];
    const { schemas, problems } = readRegistryLayout(files);
    expect(schemas).toHaveLength(4);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  it("takes ns, type and version from the path when an entry leaves them out", () => {
    const { schemas, problems } = readRegistryLayout({
      "index.json": JSON.stringify({ schemes: [{ id: "users/UserCreated/4/schema.json" }] }),
      "users/UserCreated/4/schema.json": "{}",
    });
    expect(problems).toEqual([]);
    expect(schemas).toEqual([{ ns: "users", type: "UserCreated", version: 4, schemaText: "{}" }]);
  });

  it("imports a scheme whose id lies outside the standard layout by the entry's fields", () => {
    const { schemas, problems } = readRegistryLayout({
      "index.json": JSON.stringify({
        schemes: [{ id: "legacy/user-created.json", ns: "users", type: "UserCreated", version: 1 }],
      }),
      "legacy/user-created.json": "{}",
    });
    expect(problems).toEqual([]);
    expect(schemas.map((s) => `${s.ns}/${s.type}/${s.version}`)).toEqual(["users/UserCreated/1"]);
  });
});

/** index.json over the given entries, with schema files for the ids that are standard paths. */
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
