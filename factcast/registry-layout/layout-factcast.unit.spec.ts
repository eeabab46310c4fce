// readRegistryLayout on registries as FactCast itself writes them (index.json with schemes and
// transformations, deployed and source layouts); the generic round trip is in layout.unit.spec.ts.
import { describe, expect, it } from "vitest";
import { readRegistryLayout, writeRegistryLayout } from "./layout";
import { md5, userCreatedV1, userCreatedV2 } from "./test-fixtures";

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
