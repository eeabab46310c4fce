// FACTLINE_CONSOLE_AUTH=oidc: the authorization-code flow with PKCE against FACTLINE_OIDC_ISSUER,
// by openid-client (a certified relying-party library), as the confidential client
// FACTLINE_OIDC_CLIENT_ID/SECRET. The access token it yields is what goes to the store as the
// user's Bearer credential; it is renewed with the refresh token shortly before it expires.
import * as oidc from "openid-client";
import { log } from "../log";
import { authRuntime } from "./runtime";
import type { OidcTokens, Session } from "./sessions";
import type { OidcClientSettings } from "./settings";

/** The provider's endpoints answer in milliseconds; one that takes this long is down for a sign-in. */
const PROVIDER_TIMEOUT_SECONDS = 10;
/**
 * An access token this close to its expiry is renewed before a call uses it: the call itself, a
 * live view's subscription or an export may run a while, and the store checks `exp` with only
 * 30 s of leeway.
 */
export const RENEW_BEFORE_MS = 60_000;
/**
 * Asked for unless FACTLINE_OIDC_SCOPES says otherwise: who the user is; the store's roles come
 * from the access token. Some providers (Keycloak) issue a refresh token with these; others (Auth0,
 * Okta, Entra ID) only for `offline_access`, which FACTLINE_OIDC_SCOPES can add.
 */
export const DEFAULT_SCOPES = "openid profile email";
/** Where the provider sends the browser back (registered at the provider as a redirect URI). */
export const CALLBACK_PATH = "/login/callback";

/** What the console keeps between sending the browser to the provider and its return (sealed in a cookie). */
export interface SignInFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** The page to return to (already sanitised: lib/backend/auth/next-path.ts). */
  next: string;
  redirectUri: string;
}

export class OidcError extends Error {
  override name = "OidcError";
}

const RENEWALS = Symbol.for("factline.console.oidc-renewals");
// Process-wide, like the session table (runtime.ts says why): a refresh token that the provider
// rotates must be used once, not once per Next.js bundle.
type Holder = { [RENEWALS]?: Map<string, Promise<boolean>> };

// Per bundle, unlike the session table: openid-client keeps a configuration's state in its own
// module, so a configuration made by another bundle's copy of it would not be recognised. Each
// bundle fetches the discovery document once.
let config: Promise<oidc.Configuration> | undefined;

/** The provider's configuration (discovery document), fetched once; a failed fetch is retried next time. */
export function providerConfig(settings: OidcClientSettings): Promise<oidc.Configuration> {
  config ??= discover(settings).catch((err: unknown) => {
    config = undefined;
    throw new OidcError(
      `the identity provider ${settings.issuer.href} could not be reached or is not an OpenID provider (${describe(err)}): check FACTLINE_OIDC_ISSUER`,
    );
  });
  return config;
}

async function discover(settings: OidcClientSettings): Promise<oidc.Configuration> {
  const discovered = await oidc.discovery(
    settings.issuer,
    settings.clientId,
    undefined,
    oidc.ClientSecretBasic(settings.clientSecret),
    {
      timeout: PROVIDER_TIMEOUT_SECONDS,
      // settings.ts allows plain http only for a provider on this machine.
      execute: settings.issuer.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
    },
  );
  discovered.timeout = PROVIDER_TIMEOUT_SECONDS;
  return discovered;
}

/** The provider's authorization URL for a new sign-in, and the flow to keep until the browser returns. */
export async function beginSignIn(
  settings: OidcClientSettings,
  consoleOrigin: string,
  next: string,
): Promise<{ url: URL; flow: SignInFlow }> {
  const provider = await providerConfig(settings);
  const flow: SignInFlow = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
    next,
    redirectUri: consoleOrigin + CALLBACK_PATH,
  };
  const scope = process.env.FACTLINE_OIDC_SCOPES?.trim() || DEFAULT_SCOPES;
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: flow.redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
    // OpenID Connect Core 11: a refresh token for offline_access is issued only with consent asked.
    ...(scope.split(/\s+/).includes("offline_access") ? { prompt: "consent" } : {}),
  });
  return { url, flow };
}

/** The browser came back with a code: exchange it (checking state, nonce and PKCE) for tokens. */
export async function finishSignIn(
  settings: OidcClientSettings,
  callbackUrl: URL,
  flow: SignInFlow,
): Promise<{ tokens: OidcTokens; name: string }> {
  const provider = await providerConfig(settings);
  const error = callbackUrl.searchParams.get("error");
  if (error) {
    const description = callbackUrl.searchParams.get("error_description");
    throw new OidcError(`the identity provider did not sign you in (${error}${description ? `: ${description}` : ""})`);
  }
  // The provider sent the browser to the redirect URI we asked for; check against exactly that.
  const current = new URL(flow.redirectUri);
  current.search = callbackUrl.search;
  let response: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    response = await oidc.authorizationCodeGrant(provider, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw new OidcError(`the sign-in could not be completed (${describe(err)}): try again`);
  }
  const claims = response.claims();
  const name = String(claims?.preferred_username ?? claims?.email ?? claims?.sub ?? "");
  return { tokens: tokensOf(response), name };
}

/**
 * Makes sure the session's access token is good for a while: renews it when it expires within
 * RENEW_BEFORE_MS. false when it is expired and cannot be renewed (the session is then over).
 * Concurrent requests of one session share one renewal.
 */
export async function freshTokens(session: Session): Promise<boolean> {
  const tokens = session.oidc;
  if (!tokens) return true;
  const left = tokens.expiresAt - Date.now();
  if (left > RENEW_BEFORE_MS) return true;
  if (!tokens.refreshToken) return left > 0;
  const renewals = ((globalThis as Holder)[RENEWALS] ??= new Map());
  let renewal = renewals.get(session.id);
  if (!renewal) {
    renewal = renew(session, tokens.refreshToken).finally(() => renewals.delete(session.id));
    renewals.set(session.id, renewal);
  }
  return (await renewal) || left > 0;
}

async function renew(session: Session, refreshToken: string): Promise<boolean> {
  const settings = authRuntime().settings.oidc;
  if (!settings) return false;
  try {
    const response = await oidc.refreshTokenGrant(await providerConfig(settings), refreshToken);
    const renewed = tokensOf(response);
    session.oidc = {
      ...renewed,
      refreshToken: renewed.refreshToken ?? refreshToken,
      idToken: renewed.idToken ?? session.oidc?.idToken,
    };
    session.credentials = { token: renewed.accessToken };
    return true;
  } catch (err) {
    log.warn("an OIDC access token could not be renewed; the session ends when it expires", {
      account: session.account,
      error: describe(err),
    });
    return false;
  }
}

/** Where to send the browser to end the provider's session too; undefined when the provider has no end_session endpoint. */
export async function endSessionUrl(
  settings: OidcClientSettings,
  idToken: string | undefined,
  postLogoutRedirectUri: string,
): Promise<URL | undefined> {
  try {
    const provider = await providerConfig(settings);
    if (!provider.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(provider, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : { client_id: settings.clientId }),
    });
  } catch (err) {
    // The console's own session is over either way; the provider's stays.
    log.warn("the identity provider's session could not be ended", { error: describe(err) });
    return undefined;
  }
}

function tokensOf(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): OidcTokens {
  const expiresIn = response.expiresIn();
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    // A provider that does not say how long the token lives: assume five minutes and renew then.
    expiresAt: Date.now() + (expiresIn ?? 300) * 1000,
    idToken: response.id_token,
  };
}

function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError)
    return `${err.error}${err.error_description ? `: ${err.error_description}` : ""}`;
  return err instanceof Error ? err.message : String(err);
}
