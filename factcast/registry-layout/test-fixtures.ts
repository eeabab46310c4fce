/**
 * Schemas and a hash shared by the registry layout's unit tests (layout.unit.spec.ts,
 * layout-factcast.unit.spec.ts): FactCast's example "UserCreated" in two versions.
 */
import { createHash } from "node:crypto";

/** FactCast's index.json hashes each schema file's text with MD5. */
export const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export const userCreatedV1 = {
  type: "object",
  properties: { firstName: { type: "string" }, lastName: { type: "string" } },
  required: ["firstName"],
};
export const userCreatedV2 = {
  ...userCreatedV1,
  properties: { ...userCreatedV1.properties, salutation: { enum: ["Mr", "Mrs", "NA"] } },
};
