// The client's side of the test identity provider (tests/support/oidc-provider.ts): the
// authorization-code flow with PKCE walked over plain HTTP with a cookie jar, as a browser walks it,
// and the token endpoint's request with client credentials.
import { createHash, randomBytes } from "node:crypto";
import type { SignInResult, TestClient } from "./oidc-provider";

/** The authorization-code flow with PKCE, over plain HTTP with a cookie jar, as a browser walks it. */
export async function signIn(
  issuer: string,
  client: TestClient,
  redirectUri: string,
  user: string,
  password: string,
  resource: string,
): Promise<SignInResult> {
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(8).toString("base64url");
  const authorize = new URL(`${issuer}/auth`);
  for (const [name, value] of Object.entries({
    client_id: client.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: "openid profile email groups",
    resource,
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  })) {
    authorize.searchParams.set(name, value);
  }
  const jar = new Map<string, string>();
  let response = await browse(jar, authorize.toString());
  // Follow redirects, posting the login form when it shows, until the provider sends us back with a code.
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get("location");
    if (location?.startsWith(redirectUri)) {
      const back = new URL(location);
      const code = back.searchParams.get("code");
      if (!code) throw new Error(`sign-in failed: ${back.searchParams.get("error_description") ?? location}`);
      if (back.searchParams.get("state") !== state) throw new Error("sign-in came back with another state");
      const tokens = await tokenRequest(
        issuer,
        client,
        new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
      );
      return { accessToken: tokens.access_token, idToken: tokens.id_token!, expiresIn: tokens.expires_in };
    }
    if (location) {
      response = await browse(jar, new URL(location, issuer).toString());
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action || page.includes('class="error"')) {
      throw new Error(`sign-in of ${user} failed: ${/<p class="error">([^<]*)/.exec(page)?.[1] ?? page.slice(0, 300)}`);
    }
    response = await browse(jar, new URL(action, issuer).toString(), new URLSearchParams({ username: user, password }));
  }
  throw new Error("sign-in did not come back to the client after 10 redirects");
}

/** One request with the jar's cookies; keeps the cookies it sets. Never follows redirects. */
async function browse(jar: Map<string, string>, url: string, form?: URLSearchParams): Promise<Response> {
  const response = await fetch(url, {
    method: form ? "POST" : "GET",
    redirect: "manual",
    headers: {
      cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    body: form?.toString(),
  });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair, ...attributes] = cookie.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
    if (expired) jar.delete(name);
    else jar.set(name, pair.slice(eq + 1).trim());
  }
  return response;
}

export async function tokenRequest(
  issuer: string,
  client: TestClient,
  body: URLSearchParams,
): Promise<{ access_token: string; id_token?: string; expires_in: number }> {
  const response = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body,
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`token request refused: ${String(json.error)}: ${String(json.error_description)}`);
  return json as { access_token: string; id_token?: string; expires_in: number };
}
