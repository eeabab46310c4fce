// readRegistryLayout on broken or suspicious FactCast registries: every problem named with its
// file and what to fix (the well-formed layouts are in layout.unit.spec.ts).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readRegistryLayout } from "./layout";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

function registryWith(entries: unknown[], files: Record<string, string> = {}) {
  return { "index.json": JSON.stringify({ schemes: entries }), ...files };
}

const good = { id: "users/UserCreated/1/schema.json", ns: "users", type: "UserCreated", version: 1, hash: md5("{}") };

describe("readRegistryLayout problems", () => {
  it("a file listed in index.json but missing: an error, the others still imported", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith([good, { ...good, id: "users/UserCreated/2/schema.json", version: 2 }], { [good.id]: "{}" }),
    );
    expect(schemas.map((s) => s.version)).toEqual([1]);
    expect(problems).toEqual([
      {
        path: "users/UserCreated/2/schema.json",
        severity: "error",
        message: 'listed in index.json but the file is missing; add the file or remove its entry from "schemes"',
      },
    ]);
  });

  it("a schema file that is not JSON, or not a schema: an error each", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith(
        [
          { ...good, hash: undefined },
          { ...good, hash: undefined, id: "users/UserCreated/2/schema.json", version: 2 },
        ],
        {
          [good.id]: "{ nope",
          "users/UserCreated/2/schema.json": "[]",
        },
      ),
    );
    expect(schemas).toEqual([]);
    expect(problems.map((p) => [p.path, p.severity])).toEqual([
      ["users/UserCreated/1/schema.json", "error"],
      ["users/UserCreated/2/schema.json", "error"],
    ]);
    expect(problems[0].message).toMatch(/^not valid JSON \(.+\); fix the schema to import it$/);
    expect(problems[1].message).toMatch(/^not a JSON Schema: a schema is a JSON object/);
  });

  it.each([["1"], [0], [-1], [1.5], [null]])("version %j in index.json: an error", (version) => {
    const { schemas, problems } = readRegistryLayout(
      registryWith([{ ...good, id: "x/y.json", version }], { "x/y.json": "{}" }),
    );
    expect(schemas).toEqual([]);
    expect(problems).toEqual([
      {
        path: "x/y.json",
        severity: "error",
        message: `index.json "schemes"[0] has version ${JSON.stringify(version)}; a version must be a positive integer (1, 2, …)`,
      },
    ]);
  });

  it("a hash that does not match the file: a warning, imported as the file says", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith([{ ...good, hash: md5("something else") }], { [good.id]: "{}" }),
    );
    expect(schemas).toEqual([{ ns: "users", type: "UserCreated", version: 1, schemaText: "{}" }]);
    expect(problems).toEqual([
      {
        path: good.id,
        severity: "warning",
        message: `index.json gives hash ${md5("something else")} but the file's MD5 is ${md5("{}")}; imported as the file says — update the hash in index.json`,
      },
    ]);
  });

  it("a hash in upper case is the same hash", () => {
    expect(
      readRegistryLayout(registryWith([{ ...good, hash: good.hash.toUpperCase() }], { [good.id]: "{}" })).problems,
    ).toEqual([]);
  });

  it("an entry whose ns, type or version disagrees with its path: an error, not imported", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith(
        [
          { ...good, version: 2 },
          { ...good, id: "orders/OrderPlaced/1/schema.json", ns: "Orders", type: "OrderPlaced" },
        ],
        {
          [good.id]: "{}",
          "orders/OrderPlaced/1/schema.json": "{}",
        },
      ),
    );
    expect(schemas).toEqual([]);
    expect(problems).toEqual([
      {
        path: "orders/OrderPlaced/1/schema.json",
        severity: "error",
        message:
          'index.json "schemes"[1] says Orders/OrderPlaced version 1 but the path says orders/OrderPlaced version 1; make the entry and the path agree',
      },
      {
        path: good.id,
        severity: "error",
        message:
          'index.json "schemes"[0] says users/UserCreated version 2 but the path says users/UserCreated version 1; make the entry and the path agree',
      },
    ]);
  });

  it("an entry without an id, ns and type, or version: an error", () => {
    const { problems } = readRegistryLayout(
      registryWith(
        [
          { ns: "a", type: "b", version: 1 },
          "nonsense",
          { id: "legacy.json", version: 1 },
          { id: "old.json", ns: "a", type: "b" },
        ],
        {
          "legacy.json": "{}",
          "old.json": "{}",
        },
      ),
    );
    expect(problems).toEqual([
      {
        path: "index.json",
        severity: "error",
        message:
          'index.json "schemes"[0] has no "id"; give it the schema file\'s path, e.g. "users/UserCreated/1/schema.json"',
      },
      {
        path: "index.json",
        severity: "error",
        message:
          'index.json "schemes"[1] has no "id"; give it the schema file\'s path, e.g. "users/UserCreated/1/schema.json"',
      },
      {
        path: "legacy.json",
        severity: "error",
        message: 'index.json "schemes"[2] needs a non-empty "ns" and "type"; add them to the entry',
      },
      {
        path: "old.json",
        severity: "error",
        message: 'index.json "schemes"[3] has no "version"; a version must be a positive integer (1, 2, …)',
      },
    ]);
  });

  it("the same version listed twice: the first wins, the second is an error", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith([good, { ...good, id: "elsewhere/schema.json", hash: undefined }], {
        [good.id]: "{}",
        "elsewhere/schema.json": '{"type":"object"}',
      }),
    );
    expect(schemas.map((s) => s.schemaText)).toEqual(["{}"]);
    expect(problems).toEqual([
      {
        path: "elsewhere/schema.json",
        severity: "error",
        message: `users/UserCreated version 1 is already defined by ${good.id}; remove one of them`,
      },
    ]);
  });

  it("a schema file index.json does not list: a warning, not imported (FactCast would not see it)", () => {
    const { schemas, problems } = readRegistryLayout(
      registryWith([good], { [good.id]: "{}", "users/UserCreated/2/schema.json": "{}" }),
    );
    expect(schemas.map((s) => s.version)).toEqual([1]);
    expect(problems).toEqual([
      {
        path: "users/UserCreated/2/schema.json",
        severity: "warning",
        message:
          'not listed in index.json, so FactCast ignores it and so did this import — add it to "schemes" to import it',
      },
    ]);
  });

  it("an index.json that is not JSON: an error, and the schemas are found by their paths", () => {
    const { schemas, problems } = readRegistryLayout({ "index.json": "{ broken", [good.id]: "{}" });
    expect(schemas.map((s) => `${s.ns}/${s.type}/${s.version}`)).toEqual(["users/UserCreated/1"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "index.json", severity: "error" });
    expect(problems[0].message).toMatch(
      /^not valid JSON \(.+\); schemas were looked for by their paths instead — fix index.json or leave it out$/,
    );
  });

  it("an index.json without a schemes array: an error, and the schemas are found by their paths", () => {
    const { schemas, problems } = readRegistryLayout({ "index.json": '{"schemes":{}}', [good.id]: "{}" });
    expect(schemas).toHaveLength(1);
    expect(problems.map((p) => [p.path, p.severity])).toEqual([["index.json", "error"]]);
  });

  it("an index.json with transformations only: no schemas, the transformations whose files exist", () => {
    const { schemas, transformations, problems } = readRegistryLayout({
      "index.json": JSON.stringify({
        transformations: [{ id: "a/b/1-2/transform.js", ns: "a", type: "b", from: 1, to: 2 }, 42],
      }),
      "a/b/1-2/transform.js": "function (e) {}",
    });
    expect(schemas).toEqual([]);
    expect(transformations).toEqual([{ ns: "a", type: "b", from: 1, to: 2, code: "function (e) {}" }]);
    expect(problems).toEqual([
      {
        path: "index.json",
        severity: "error",
        message: 'index.json "transformations"[1] has no "id"; give it the path of its transform.js',
      },
    ]);
  });

  it("transformations that are not an array: an error, the schemas still imported", () => {
    const { schemas, problems } = readRegistryLayout({
      "index.json": JSON.stringify({ schemes: [good], transformations: {} }),
      [good.id]: "{}",
    });
    expect(schemas).toHaveLength(1);
    expect(problems.map((p) => [p.path, p.severity])).toEqual([["index.json", "error"]]);
  });
});
