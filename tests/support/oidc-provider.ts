// A real OpenID Connect provider for tests: the `oidc-provider` package (an OpenID-certified
// implementation) on a loopback port, issuing JWT access tokens for one resource (the store's
// audience). It has a confidential machine client (client_credentials), a console client for the
// authorization-code flow with PKCE (users with passwords; a plain login form a headless browser
// can fill in, consent given automatically), `groups` in every access token, key rotation and
// short token lifetimes on demand. Tests get tokens exactly as a deployment would, never
// hand-made JWTs.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { signIn, tokenRequest } from "./oidc-sign-in";

export interface TestUser {
  /** The account id: the access token's `sub`. */
  id: string;
  password: string;
  /** The `groups` claim: names of access-file roles. */
  groups: string[];
  email?: string;
  name?: string;
}

export interface TestOidcProviderOptions {
  /** The resource indicator tokens are issued for by default: their `aud`. */
  audience?: string;
  users?: TestUser[];
  /** The `groups` claim of the machine client's client_credentials tokens. */
  machineGroups?: string[];
  /** Where the console client may be sent back to after sign-in (exact URLs, the scripted flow's own is added). */
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** Lifetime of access tokens issued from now on (default one hour); setAccessTokenTtl changes it later. */
  accessTokenTtlSeconds?: number;
  /** 0 (default): a free port. The issuer URL contains it. */
  port?: number;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
}

export interface SignInResult {
  accessToken: string;
  idToken: string;
  /** Seconds, as the token endpoint said. */
  expiresIn: number;
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port>: what FACTLINE_OIDC_ISSUER must be. */
  readonly issuer: string;
  readonly audience: string;
  /** Confidential client for the client_credentials grant. */
  readonly machine: TestClient;
  /** Confidential client for the authorization-code flow with PKCE (the console's FACTLINE_OIDC_CLIENT_ID/SECRET). */
  readonly console: TestClient & { redirectUris: string[] };
  /** An access token from the client_credentials grant (default: the machine client, for `audience`). */
  clientCredentialsToken(options?: { client?: TestClient; resource?: string; scope?: string }): Promise<string>;
  /** The whole authorization-code flow with PKCE over HTTP, as a browser would walk it (login form, consent, code exchange). */
  signIn(user: string, password: string, options?: { resource?: string }): Promise<SignInResult>;
  /** Access tokens issued from now on live this long. */
  setAccessTokenTtl(seconds: number): void;
  /**
   * A new signing key: tokens are signed with it from now on, and the JWKS lists it first.
   * `retireOld` drops the previous keys from the JWKS (their tokens then no longer verify anywhere
   * that refetches the JWKS).
   */
  rotateKeys(options?: { retireOld?: boolean }): Promise<void>;
  /** The public keys the JWKS serves now, signing key first. */
  publicKeys(): JWK[];
  /** Every successful token request so far (code exchanges, refreshes …), oldest first: what a client really asked. */
  tokenGrants(): readonly { clientId: string; grantType: string }[];
  close(): Promise<void>;
}

const DEFAULT_AUDIENCE = "urn:factline:store";
// Scopes a token for a resource may carry; the store ignores them (roles come from `groups`).
const RESOURCE_SCOPES = "factline:read factline:write";
// Login form bodies are a few hundred bytes; anything bigger is not a form this page produced.
const MAX_FORM_BYTES = 16 * 1024;

/** Starts the provider on 127.0.0.1; close() stops it. */
export async function startTestOidcProvider(options: TestOidcProviderOptions = {}): Promise<TestOidcProvider> {
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const users = new Map((options.users ?? []).map((u) => [u.id, u]));
  const machine: TestClient = { clientId: "factline-machine", clientSecret: secret() };
  const consoleClient = { clientId: "factline-console", clientSecret: secret(), redirectUris: [] as string[] };
  let ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  let keys: JWK[] = [await signingKey()];
  // Cookie signing keys survive key rotation, so sign-ins in progress carry on across it.
  const cookieKeys = [secret()];

  const grants: { clientId: string; grantType: string }[] = [];
  let provider: Provider | undefined;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    void route(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`test OIDC provider: ${err.message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callback = `${issuer}/cb`;
  consoleClient.redirectUris = [...(options.redirectUris ?? []), callback];

  const build = () => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: machine.clientId,
          client_secret: machine.clientSecret,
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
        },
        {
          client_id: consoleClient.clientId,
          client_secret: consoleClient.clientSecret,
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          redirect_uris: consoleClient.redirectUris,
          post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        },
      ],
      jwks: { keys },
      cookies: { keys: cookieKeys },
      claims: {
        openid: ["sub"],
        profile: ["name", "preferred_username"],
        email: ["email"],
        groups: ["groups"],
      },
      // The console may read the user's name and groups from the ID token without a userinfo call.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      // Every lifetime set explicitly (oidc-provider logs a notice for each default it uses).
      ttl: {
        AccessToken: () => ttlSeconds,
        ClientCredentials: () => ttlSeconds,
        AuthorizationCode: 60,
        IdToken: 3600,
        RefreshToken: 86_400,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // The console need not name the store: its tokens are for the audience unless it asks otherwise.
          defaultResource: (_ctx, _client, oneOf) => oneOf ?? audience,
          useGrantedResource: () => true,
          // Any absolute URI is a resource here, so tests can ask for tokens for another audience.
          getResourceServerInfo: (_ctx, resource) => ({
            scope: RESOURCE_SCOPES,
            audience: resource,
            accessTokenFormat: "jwt",
            accessTokenTTL: ttlSeconds,
            jwt: { sign: { alg: "RS256" } },
          }),
        },
      },
      extraTokenClaims: (_ctx, token) => {
        if (token.kind === "ClientCredentials") {
          return token.clientId === machine.clientId ? { groups: options.machineGroups ?? [] } : undefined;
        }
        const user =
          "accountId" in token && typeof token.accountId === "string" ? users.get(token.accountId) : undefined;
        return user ? { groups: user.groups, preferred_username: user.id } : undefined;
      },
      findAccount: (_ctx, id) => {
        const user = users.get(id);
        if (!user) return undefined;
        return {
          accountId: id,
          claims: () => ({
            sub: id,
            preferred_username: id,
            name: user.name ?? id,
            email: user.email,
            groups: user.groups,
          }),
        };
      },
      interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
      // Nothing here is a production deployment: keep oidc-provider from logging about it per request.
      renderError: (ctx, out) => {
        ctx.type = "text/plain";
        ctx.body = `${out.error}: ${out.error_description ?? ""}`;
      },
    };
    provider = new Provider(issuer, configuration);
    provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
      grants.push({ clientId: ctx.oidc.client?.clientId ?? "", grantType: String(ctx.oidc.params?.grant_type ?? "") });
    });
    handle = provider.callback();
  };
  build();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", issuer);
    const interaction = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(url.pathname);
    if (interaction && req.method === "GET" && !interaction[2]) return showInteraction(req, res);
    if (interaction?.[2] === "/login" && req.method === "POST") return submitLogin(req, res);
    if (interaction?.[2] === "/abort") {
      return void provider!.interactionFinished(req, res, { error: "access_denied", error_description: "cancelled" });
    }
    if (url.pathname === "/cb") {
      res.writeHead(200, { "content-type": "text/plain" }).end("signed in; the code is in this page's URL");
      return;
    }
    handle!(req, res);
  }

  async function showInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider!.interactionDetails(req, res);
    if (details.prompt.name === "login") return loginPage(res, details.uid);
    // Consent: everything the console asked for is granted, as a first-party client's would be.
    const { accountId } = details.session ?? {};
    if (!accountId) throw new Error("consent without a signed-in user");
    const grant = details.grantId
      ? await provider!.Grant.find(details.grantId)
      : new provider!.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error(`grant ${details.grantId} is gone`);
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(" "));
    }
    const grantId = await grant.save();
    await provider!.interactionFinished(
      req,
      res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  async function submitLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider!.interactionDetails(req, res);
    const form = new URLSearchParams(await readBody(req));
    const user = users.get(form.get("username") ?? "");
    if (!user || user.password !== form.get("password")) {
      return loginPage(res, details.uid, "Wrong user name or password.");
    }
    await provider!.interactionFinished(
      req,
      res,
      { login: { accountId: user.id } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    audience,
    machine,
    console: consoleClient,
    async clientCredentialsToken({ client = machine, resource = audience, scope } = {}) {
      const body = new URLSearchParams({ grant_type: "client_credentials", resource });
      if (scope) body.set("scope", scope);
      const tokens = await tokenRequest(issuer, client, body);
      return tokens.access_token;
    },
    async signIn(user, password, { resource = audience } = {}) {
      return signIn(issuer, consoleClient, callback, user, password, resource);
    },
    setAccessTokenTtl(seconds) {
      ttlSeconds = seconds;
    },
    async rotateKeys({ retireOld = false } = {}) {
      const fresh = await signingKey();
      keys = retireOld ? [fresh] : [fresh, ...keys];
      build();
    },
    tokenGrants: () => grants,
    publicKeys: () => keys.map(({ kty, kid, alg, use, n, e }) => ({ kty, kid, alg, use, n, e })),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function loginPage(res: ServerResponse, uid: string, error?: string): void {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html>
<html><head><title>Sign in</title></head>
<body>
<h1>Sign in to the test identity provider</h1>
${error ? `<p class="error">${error}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<label for="username">User name</label> <input id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
<a href="/interaction/${uid}/abort">Cancel</a>
</body></html>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new Error("form too large");
  }
  return body;
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };
}

function secret(): string {
  return randomBytes(24).toString("base64url");
}
