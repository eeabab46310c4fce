import { describe, expect, it } from "vitest";
import { parseAccessFile } from "./access-file";
import { allows, patternMatches } from "./rules";

const FILE = "/etc/factline/access.json";

function parse(doc: unknown) {
  return parseAccessFile(typeof doc === "string" ? doc : JSON.stringify(doc), FILE);
}

describe("FactCast's pattern rules", () => {
  it("matches exact names, '*' and trailing-'*' prefixes, nothing else", () => {
    expect(patternMatches("shop", "shop")).toBe(true);
    expect(patternMatches("shop", "shopping")).toBe(false);
    expect(patternMatches("shop*", "shopping")).toBe(true);
    expect(patternMatches("shop*", "shop")).toBe(true);
    expect(patternMatches("*", "anything")).toBe(true);
    expect(patternMatches("s*p", "shop")).toBe(false);
    expect(patternMatches("s*p", "s*p")).toBe(true);
  });

  it("per account: a deny by any role wins, else an allow, else deny", () => {
    const access = parse({
      roles: [
        { id: "all", read: { include: ["*"] } },
        { id: "noSecret", read: { exclude: ["secret*"] } },
        { id: "shop", read: { include: ["shop"] } },
      ],
      accounts: [
        { id: "a", roles: ["all", "noSecret"] },
        { id: "b", roles: ["shop"] },
        { id: "c", roles: [] },
      ],
    });
    const a = access.accounts.get("a")!;
    expect(allows(a.read, "shop")).toBe(true);
    expect(allows(a.read, "secrets")).toBe(false);
    expect(allows(a.write, "shop")).toBe(false);
    // "*" in a spec asks for every namespace: refused while anything is excluded.
    expect(allows(a.read, "*")).toBe(false);
    const b = access.accounts.get("b")!;
    expect(allows(b.read, "shop")).toBe(true);
    expect(allows(b.read, "billing")).toBe(false);
    expect(allows(b.read, "*")).toBe(false);
    expect(allows(access.accounts.get("c")!.read, "shop")).toBe(false);
    expect(
      allows(
        parse({ roles: [{ id: "r", read: { include: ["*"] } }], accounts: [{ id: "x", roles: ["r"] }] }).accounts.get(
          "x",
        )!.read,
        "*",
      ),
    ).toBe(true);
  });

  it("reads factline's schemas and audit role properties", () => {
    const access = parse({
      roles: [{ id: "admin", schemas: { include: ["shop*"], exclude: ["shop-legacy"] }, audit: true }],
      accounts: [{ id: "ops", roles: ["admin"] }],
    });
    const ops = access.accounts.get("ops")!;
    expect(allows(ops.schemas, "shop")).toBe(true);
    expect(allows(ops.schemas, "shop-legacy")).toBe(false);
    expect(ops.audit).toBe(true);
    expect(ops.operate).toBe(false);
    expect(ops.roles).toEqual(["admin"]);
  });

  it('reads factline\'s "operate" role property; any role granting it is enough', () => {
    const access = parse({
      roles: [
        { id: "reader", read: { include: ["*"] } },
        { id: "operator", operate: true },
      ],
      accounts: [
        { id: "sre", roles: ["reader", "operator"] },
        { id: "analyst", roles: ["reader"] },
      ],
    });
    expect(access.accounts.get("sre")!.operate).toBe(true);
    expect(access.accounts.get("analyst")!.operate).toBe(false);
    expect(access.warnings).toEqual([]);
  });
});

describe("a malformed access file names the file, the JSON pointer and what to fix", () => {
  it.each([
    ["{ not json", /access\.json: not valid JSON .*line 1, column 3/],
    [[], /access\.json: the document: must be a JSON object/],
    [{ accounts: {} }, /\/accounts: must be an array/],
    [{ accounts: [{ roles: [] }] }, /\/accounts\/0\/id: every account needs an "id"/],
    [
      { accounts: [{ id: "a", roles: ["nope"] }] },
      /\/accounts\/0\/roles\/0: unknown role "nope"; define it under \/roles/,
    ],
    [{ accounts: [{ id: "a" }, { id: "a" }] }, /\/accounts\/1\/id: account "a" is defined twice/],
    [{ roles: [{ id: "r" }, { id: "r" }] }, /\/roles\/1\/id: role "r" is defined twice/],
    [{ roles: [{ id: "r", read: { include: "shop" } }] }, /\/roles\/0\/read\/include: must be an array/],
    [
      { roles: [{ id: "r", write: { exclude: [""] } }] },
      /\/roles\/0\/write\/exclude\/0: must be a non-blank namespace pattern/,
    ],
    [{ roles: [{ id: "r", read: ["shop"] }] }, /\/roles\/0\/read: must be an object like/],
    [{ roles: [{ id: "r", audit: "yes" }] }, /\/roles\/0\/audit: must be true or false/],
    [{ roles: [{ id: "r", operate: 1 }] }, /\/roles\/0\/operate: must be true or false/],
  ])("%j", (doc, message) => {
    expect(() => parse(doc)).toThrow(message);
  });

  it("warns about unknown properties (typos) and mid-pattern '*', which FactCast reads as literal", () => {
    const { warnings } = parse({ roles: [{ id: "r", read: { inclde: ["x"], include: ["a*b"] } }], accounts: [] });
    expect(warnings.join("\n")).toMatch(/\/roles\/0\/read\/inclde: unknown property, ignored/);
    expect(warnings.join("\n")).toMatch(/\/roles\/0\/read\/include\/0: "a\*b" only matches that exact name/);
  });

  it("reads FactCast's own example file unchanged", () => {
    const access = parse(`{
      "accounts": [{ "id": "brain", "roles": ["anything"] }, { "id": "reader", "roles": ["readOnlyWithoutAudit"] }],
      "roles": [
        { "id": "anything", "read": { "include": ["*"] }, "write": { "include": ["*"] } },
        { "id": "readOnlyWithoutAudit", "read": { "include": ["*"], "exclude": ["audit*", "secret"] }, "write": { "exclude": ["*"] } }
      ]
    }`);
    expect(access.warnings).toEqual([]);
    expect(allows(access.accounts.get("reader")!.read, "audit-log")).toBe(false);
    expect(allows(access.accounts.get("reader")!.write, "shop")).toBe(false);
    expect(allows(access.accounts.get("brain")!.write, "shop")).toBe(true);
  });
});
