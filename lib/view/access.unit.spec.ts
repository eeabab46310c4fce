import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { GetAccessResponseSchema } from "../../gen/factline/console/v1/access_pb";
import { describeReadGrants, offerAudit, offerSchemaChanges, readableScope, readVerdict } from "./access";

const known = (access: MessageInitShape<typeof GetAccessResponseSchema>["access"]) =>
  create(GetAccessResponseSchema, { known: true, access });

const operator = known({
  account: "operator",
  namespaces: [
    { ns: "billing", read: false },
    { ns: "shop", read: true },
    { ns: "shop-eu", read: true },
  ],
  anyNamespace: { read: false },
  read: { include: ["shop*"], exclude: [] },
});
const developer = known({
  account: "developer",
  namespaces: [{ ns: "shop", read: true }],
  anyNamespace: { read: true },
});
const admin = known({
  account: "admin",
  namespaces: [{ ns: "shop", read: true, manageSchemas: true }],
  anyNamespace: { read: true, manageSchemas: true },
  readAudit: true,
  schemas: { include: ["*"] },
});
const shopAdmin = known({
  account: "shop-admin",
  namespaces: [
    { ns: "shop", read: true, manageSchemas: true },
    { ns: "users", read: true, manageSchemas: false },
  ],
  anyNamespace: { read: false },
  schemas: { include: ["shop*"] },
});
const plain = create(GetAccessResponseSchema, { known: false, unknownReason: "the store does not say" });

describe("what the console offers", () => {
  it("offers nothing that needs a permission while the store's answer is on its way", () => {
    expect(offerSchemaChanges(undefined)).toBe(false);
    expect(offerAudit(undefined)).toBe(false);
    expect(readVerdict(undefined, "shop")).toBeUndefined();
  });

  it("offers everything but the audit log when the store cannot tell: it decides per call", () => {
    expect(offerSchemaChanges(plain, "shop")).toBe(true);
    expect(offerAudit(plain)).toBe(false);
    expect(readableScope(plain)).toBeUndefined();
  });

  it("follows the store's verdicts per namespace", () => {
    expect(readVerdict(operator, "billing")).toBe(false);
    expect(readVerdict(operator, "shop")).toBe(true);
    // not judged and not readable everywhere: the console does not guess
    expect(readVerdict(operator, "shop-new")).toBeUndefined();
    expect(readVerdict(developer, "anything")).toBe(true);
    for (const a of [operator, developer]) {
      expect(offerSchemaChanges(a)).toBe(false);
      expect(offerSchemaChanges(a, "shop")).toBe(false);
      expect(offerAudit(a)).toBe(false);
    }
    expect(offerSchemaChanges(admin, "anything")).toBe(true);
    expect(offerAudit(admin)).toBe(true);
    expect(offerSchemaChanges(shopAdmin)).toBe(true);
    expect(offerSchemaChanges(shopAdmin, "shop")).toBe(true);
    expect(offerSchemaChanges(shopAdmin, "users")).toBe(false);
    // a namespace the store has not judged may match the schemas pattern: the store will say
    expect(offerSchemaChanges(shopAdmin, "shop-new")).toBe(true);
  });

  it("names what 'every namespace' stands for when the user may not read them all", () => {
    expect(readableScope(operator)).toEqual(["shop", "shop-eu"]);
    expect(readableScope(developer)).toBeUndefined();
    expect(describeReadGrants(operator)).toBe("shop*");
    expect(describeReadGrants(known({ read: { include: ["*"], exclude: ["hr*", "payroll"] }, anyNamespace: {} }))).toBe(
      "* (except hr*, payroll)",
    );
  });
});
