// OIDC bearer tokens over real gRPC, from a real provider (tests/support/oidc-provider.ts): roles
// from the groups claim, every kind of bad token refused with UNAUTHENTICATED, key rotation picked
// up, Basic and Bearer side by side, and what happens when the provider goes away.
import { randomUUID } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, expectFailure, toMsgUuid } from "../support/client.js";
import { startTestOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import { basic, startSecuredStore, type SecuredStore } from "./support.js";

const AUDIENCE = "urn:factline:store";
const ACCESS = {
  accounts: [
    { id: "ops", roles: ["shop-writer"] },
    // Listed without a secret: signs in with tokens only, and keeps these roles with any token.
    { id: "alice", roles: ["hr-reader"] },
  ],
  roles: [
    { id: "shop-reader", read: { include: ["shop"] } },
    { id: "shop-writer", read: { include: ["shop"] }, write: { include: ["shop"] } },
    { id: "hr-reader", read: { include: ["hr"] } },
  ],
};

let idp: TestOidcProvider;
let stranger: TestOidcProvider;
let fx: SecuredStore;
beforeAll(async () => {
  [idp, stranger] = await Promise.all([
    startTestOidcProvider({
      audience: AUDIENCE,
      users: [
        { id: "alice", password: "alice-pw", groups: ["shop-reader"] },
        { id: "bob", password: "bob-pw", groups: [] },
      ],
      machineGroups: ["shop-writer"],
    }),
    // Another issuer with the same audience: its tokens are well formed, and not the store's.
    startTestOidcProvider({ audience: AUDIENCE, machineGroups: ["shop-writer"] }),
  ]);
  fx = await startSecuredStore({
    access: ACCESS,
    secrets: "factcast.access.secrets.ops=ops-pw\n",
    env: {
      FACTLINE_OIDC_ISSUER: idp.issuer,
      FACTLINE_OIDC_AUDIENCE: AUDIENCE,
      // Expiry is tested with one-second tokens; the default 30 s of skew would make that wait.
      FACTLINE_OIDC_CLOCK_SKEW_S: "1",
    },
    label: "oidc",
  });
}, 120_000);
afterAll(async () => {
  await fx?.close();
  await Promise.all([idp?.close(), stranger?.close()]);
}, 30_000);

const bearer = (token: string) => fx.as(`Bearer ${token}`);

function fact(ns: string) {
  const id = randomUUID();
  return { id: toMsgUuid(id), header: JSON.stringify({ id, ns, type: "T" }), payload: "{}" };
}

/** The call's failure, or undefined when it succeeded. */
async function refusalOf(token: string) {
  return expectFailure(bearer(token).facts.latestSerial({}));
}

describe("valid tokens", () => {
  it("a machine token (client_credentials) writes where its groups allow, and nowhere else", async () => {
    const { facts } = bearer(await idp.clientCredentialsToken());
    await facts.publish({ fact: [fact("shop")] });
    const denied = await expectFailure(facts.publish({ fact: [fact("hr")] }));
    expect(denied.code).toBe(Code.PermissionDenied);
  });

  it("a user token from the code flow reads per its groups plus the roles the access file gives the account", async () => {
    const { accessToken } = await idp.signIn("alice", "alice-pw");
    const { facts } = bearer(accessToken);
    // groups: shop-reader; access file: hr-reader.
    expect((await facts.enumerateTypes({ embeddedString: "shop" })).embeddedString).toContain("T");
    await facts.enumerateTypes({ embeddedString: "hr" });
    expect((await expectFailure(facts.publish({ fact: [fact("shop")] }))).code).toBe(Code.PermissionDenied);
    expect((await expectFailure(facts.enumerateTypes({ embeddedString: "billing" }))).code).toBe(Code.PermissionDenied);
  });

  it("a user without groups or an account is authenticated but may read nothing", async () => {
    const { facts } = bearer((await idp.signIn("bob", "bob-pw")).accessToken);
    expect((await facts.latestSerial({})).serial).toBeGreaterThan(0n);
    expect((await facts.enumerateNamespaces({})).embeddedString).toEqual([]);
    expect((await expectFailure(facts.enumerateTypes({ embeddedString: "shop" }))).code).toBe(Code.PermissionDenied);
  });

  it("Basic and Bearer side by side on one store; a token-only account cannot use Basic", async () => {
    const token = await idp.clientCredentialsToken();
    const [viaBasic, viaBearer] = await Promise.all([
      fx.as(basic("ops", "ops-pw")).facts.enumerateNamespaces({}),
      bearer(token).facts.enumerateNamespaces({}),
    ]);
    expect(viaBasic.embeddedString).toEqual(["shop"]);
    expect(viaBearer.embeddedString).toEqual(["shop"]);
    const basicAlice = await expectFailure(fx.as(basic("alice", "")).facts.latestSerial({}));
    expect(basicAlice).toMatchObject({ code: Code.Unauthenticated, message: "wrong user or password" });
    expect(fx.store.readyLine).toContain(`Basic and OIDC bearer tokens from ${idp.issuer}`);
  });
});

describe("tokens refused with UNAUTHENTICATED", () => {
  it("expired", async () => {
    // Short enough to wait for, long enough that a loaded machine still uses it before it ends.
    idp.setAccessTokenTtl(5);
    let token: string;
    try {
      token = await idp.clientCredentialsToken();
    } finally {
      idp.setAccessTokenTtl(3600);
    }
    expect((await bearer(token).facts.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
    // Past its end and the store's 1 s of allowed skew: the store's cache must not outlive it either.
    const over = decodeJwt(token).exp! * 1000 + 1_000 + 500 - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, over)));
    const failure = await refusalOf(token);
    expect(failure).toMatchObject({ code: Code.Unauthenticated });
    expect(failure.message).toBe("the bearer token was refused: it has expired; get a new one");
  });

  it("for another audience", async () => {
    const failure = await refusalOf(await idp.clientCredentialsToken({ resource: "https://elsewhere.example/api" }));
    expect(failure).toMatchObject({
      code: Code.Unauthenticated,
      message: `the bearer token was refused: its audience is not ${AUDIENCE}`,
    });
  });

  it("from another issuer", async () => {
    const failure = await refusalOf(await stranger.clientCredentialsToken());
    expect(failure).toMatchObject({
      code: Code.Unauthenticated,
      message: `the bearer token was refused: it was issued by "${stranger.issuer}", not by ${idp.issuer}`,
    });
  });

  it("with a tampered signature, or a payload changed under its signature", async () => {
    const token = await idp.clientCredentialsToken();
    const [header, payload, signature] = token.split(".");
    const flipped = `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    const promoted = Buffer.from(JSON.stringify({ ...decodeJwt(token), groups: ["hr-reader"] })).toString("base64url");
    for (const forged of [flipped, `${header}.${promoted}.${signature}`]) {
      expect(await refusalOf(forged)).toMatchObject({
        code: Code.Unauthenticated,
        message: `the bearer token was refused: its signature does not verify with the keys of ${idp.issuer}`,
      });
    }
  });

  it("signed by a key the issuer's JWKS does not hold, under an unknown or a known key id", async () => {
    const claims = decodeJwt(await idp.clientCredentialsToken());
    const { privateKey } = await generateKeyPair("RS256");
    const knownKid = decodeProtectedHeader(await idp.clientCredentialsToken()).kid!;
    for (const kid of ["rogue-key", knownKid]) {
      const forged = await new SignJWT({ ...claims, groups: ["hr-reader"] })
        .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid })
        .sign(privateKey);
      expect(await refusalOf(forged)).toMatchObject({
        code: Code.Unauthenticated,
        message: `the bearer token was refused: its signature does not verify with the keys of ${idp.issuer}`,
      });
    }
  });

  it("unsigned (alg none), or signed with HS256 using the issuer's public key as the secret", async () => {
    const token = await idp.clientCredentialsToken();
    const claims = decodeJwt(token);
    const kid = decodeProtectedHeader(token).kid!;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "none", typ: "at+jwt" })}.${encode(claims)}.`;
    const publicJwk = idp.publicKeys().find((k) => k.kid === kid)!;
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    for (const forged of [unsigned, confused]) {
      const failure = await refusalOf(forged);
      expect(failure.code).toBe(Code.Unauthenticated);
      expect(failure.message).toMatch(
        /^the bearer token was refused: it is (signed with an algorithm the store does not accept|not a valid signed JWT)/,
      );
    }
  });

  it("that are not JWTs at all", async () => {
    for (const junk of ["abc", "a.b.c", `${Buffer.from("{}").toString("base64url")}.e30.`]) {
      const failure = await refusalOf(junk);
      expect(failure.code, junk).toBe(Code.Unauthenticated);
      expect(failure.message, junk).toMatch(
        /^the bearer token was refused: it (is not a JWT|was issued without an issuer)/,
      );
    }
    expect((await expectFailure(fx.as("Bearer ").facts.latestSerial({}))).code).toBe(Code.Unauthenticated);
  });
});

describe("the issuer's keys", () => {
  it("a rotation is picked up at once: a token signed with the new key works right after one with the old", async () => {
    const before = await idp.clientCredentialsToken();
    expect((await bearer(before).facts.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
    await idp.rotateKeys();
    const after = await idp.clientCredentialsToken();
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect((await bearer(after).facts.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
    await idp.rotateKeys({ retireOld: true });
    const retired = await idp.clientCredentialsToken();
    expect((await bearer(retired).facts.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
  });

  // Last: it stops the provider (afterAll's close() of a stopped provider is harmless).
  it("a store whose issuer is down still verifies tokens with the keys it holds, and says UNAVAILABLE for new keys", async () => {
    const token = await idp.clientCredentialsToken();
    await idp.close();
    expect((await bearer(token).facts.latestSerial({})).serial).toBeGreaterThanOrEqual(0n);
    const { privateKey } = await generateKeyPair("RS256");
    const unknownKey = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: "RS256", kid: "after-the-outage" })
      .sign(privateKey);
    const failure = await refusalOf(unknownKey);
    expect(failure).toMatchObject({
      code: Code.Unavailable,
      message: "the store cannot reach its OIDC identity provider to check the token; retry shortly",
    });
  });
});
