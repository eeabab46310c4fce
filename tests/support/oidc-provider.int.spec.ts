// The test OIDC provider (tests/support/oidc-provider.ts) behaves as the security and console tests
// rely on: discovery, JWT access tokens for the audience that verify against its JWKS, groups in
// them, the authorization-code flow with PKCE through its login form, rotation and short lifetimes.
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestOidcProvider, type TestOidcProvider } from "./oidc-provider.js";

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await startTestOidcProvider({
    audience: "urn:factline:test-store",
    users: [{ id: "alice", password: "alice-pw", groups: ["reader", "writer"], email: "alice@example.test" }],
    machineGroups: ["robots"],
    redirectUris: ["http://127.0.0.1:3999/api/auth/callback"],
  });
});
afterAll(async () => {
  await idp?.close();
});

async function verify(token: string, audience = idp.audience) {
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  return (await jwtVerify(token, keys, { issuer: idp.issuer, audience })).payload;
}

describe("the test OIDC provider", () => {
  it("publishes discovery naming itself, its JWKS, PKCE S256 and both grants", async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: `${idp.issuer}/jwks`,
      code_challenge_methods_supported: ["S256"],
    });
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "client_credentials"]),
    );
  });

  it("gives the machine client a JWT access token for the audience, with its groups, that verifies", async () => {
    const token = await idp.clientCredentialsToken();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "RS256", typ: "at+jwt" });
    const claims = await verify(token);
    expect(claims).toMatchObject({ sub: idp.machine.clientId, groups: ["robots"], aud: idp.audience });
  });

  it("refuses a client with a wrong secret", async () => {
    await expect(idp.clientCredentialsToken({ client: { ...idp.machine, clientSecret: "wrong" } })).rejects.toThrow(
      /invalid_client/,
    );
  });

  it("issues tokens for another resource on request (a wrong audience for the store)", async () => {
    const token = await idp.clientCredentialsToken({ resource: "https://elsewhere.example/api" });
    expect(decodeJwt(token).aud).toBe("https://elsewhere.example/api");
  });

  it("signs a user in through the login form with PKCE: access token with groups, ID token for the console", async () => {
    const result = await idp.signIn("alice", "alice-pw");
    expect(await verify(result.accessToken)).toMatchObject({ sub: "alice", groups: ["reader", "writer"] });
    expect(await verify(result.idToken, idp.console.clientId)).toMatchObject({
      sub: "alice",
      email: "alice@example.test",
      groups: ["reader", "writer"],
    });
    expect(idp.console.redirectUris).toContain("http://127.0.0.1:3999/api/auth/callback");
  });

  it("shows the login form again on a wrong password, and refuses an unknown user", async () => {
    await expect(idp.signIn("alice", "nope")).rejects.toThrow(/Wrong user name or password/);
    await expect(idp.signIn("mallory", "alice-pw")).rejects.toThrow(/Wrong user name or password/);
  });

  it("requires PKCE of the console client", async () => {
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: idp.console.clientId,
      response_type: "code",
      redirect_uri: idp.console.redirectUris[0],
      scope: "openid",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    const back = new URL(response.headers.get("location")!);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("error_description")).toMatch(/requires PKCE/);
  });

  it("rotates keys: new tokens carry the new key id, the JWKS keeps or retires the old one", async () => {
    const before = decodeProtectedHeader(await idp.clientCredentialsToken()).kid;
    await idp.rotateKeys();
    const after = decodeProtectedHeader(await idp.clientCredentialsToken()).kid;
    expect(after).not.toBe(before);
    const served = async () =>
      ((await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> }).keys;
    expect((await served()).map((k) => k.kid)).toEqual([after, before]);
    expect((await served()).every((k) => k.d === undefined)).toBe(true);
    await idp.rotateKeys({ retireOld: true });
    expect((await served()).map((k) => k.kid)).not.toContain(after);
    expect(await verify(await idp.clientCredentialsToken())).toMatchObject({ groups: ["robots"] });
  });

  it("issues short-lived tokens on demand", async () => {
    idp.setAccessTokenTtl(2);
    try {
      const claims = decodeJwt(await idp.clientCredentialsToken());
      expect(claims.exp! - claims.iat!).toBe(2);
    } finally {
      idp.setAccessTokenTtl(3600);
    }
  });
});
