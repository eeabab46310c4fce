import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { hashSecret, secretLine } from "../../factcast/secrets";
import { parseSecretsFile, verifySecret } from "./secrets";

const FILE = "secrets.properties";

describe("the secrets file", () => {
  it("reads plaintext, {noop}, {bcrypt} and {argon2} secrets with Java properties syntax", async () => {
    const hash = await bcrypt.hash("b-pass", 4);
    const argon = (await hashSecret("a-pass", "argon2")).slice("{argon2}".length);
    const { secrets, warnings } = parseSecretsFile(
      [
        "# FactCast secrets",
        "factcast.access.secrets.plain=pl\\u00e4in",
        "factcast.access.secrets.noop : {noop}n=o",
        `factcast.access.secrets.bc={bcrypt}${hash}`,
        `factcast.access.secrets.ar = {argon2}${argon}`,
        "spring.other=1",
      ].join("\n"),
      FILE,
    );
    expect(warnings).toEqual([expect.stringMatching(/line 6: spring.other is not a secret/)]);
    expect(await verifySecret(secrets.get("plain")!, "pläin")).toBe(true);
    expect(await verifySecret(secrets.get("plain")!, "plain")).toBe(false);
    expect(await verifySecret(secrets.get("noop")!, "n=o")).toBe(true);
    expect(secrets.get("bc")!.kind).toBe("bcrypt");
    expect(await verifySecret(secrets.get("bc")!, "b-pass")).toBe(true);
    expect(await verifySecret(secrets.get("bc")!, "wrong")).toBe(false);
    expect(await verifySecret(secrets.get("ar")!, "a-pass")).toBe(true);
    expect(await verifySecret(secrets.get("ar")!, "wrong")).toBe(false);
  });

  it.each([
    ["factcast.access.secrets.a=", /line 1 \(a\): the secret is empty/],
    ["factcast.access.secrets.a={bcrypt}nope", /line 1 \(a\): \{bcrypt\} must be followed by a bcrypt hash/],
    ["factcast.access.secrets.a={argon2}$2b$", /\{argon2\} must be followed by an Argon2 hash/],
    ["factcast.access.secrets.a={sha256}abc", /unknown encoding \{sha256\}; use \{noop\}, \{bcrypt\} or \{argon2\}/],
    ["factcast.access.secrets.=x", /line 1: the key needs an account/],
    ["factcast.access.secrets.a=x\nfactcast.access.secrets.a=y", /line 2: a secret for "a" is already given on line 1/],
  ])("refuses %j", (text, message) => {
    expect(() => parseSecretsFile(text, FILE)).toThrow(message);
  });

  it("writes entries that read back as the same secret", async () => {
    const line = secretLine("team a", await hashSecret("s3cret", "bcrypt"));
    expect(line).toMatch(/^factcast\.access\.secrets\.team\\ a=\{bcrypt\}\$2b\$12\$/);
    const { secrets } = parseSecretsFile(line, FILE);
    expect(await verifySecret(secrets.get("team a")!, "s3cret")).toBe(true);
    await expect(hashSecret("x".repeat(73), "bcrypt")).rejects.toThrow(/72 bytes/);
  });
});
