// OIDC bearer access tokens (`authorization: Bearer <JWT>`), verified with `jose`: the issuer's
// discovery document names its JWKS, which jose fetches and refetches when a token names a key it
// has not seen (key rotation). The token's account claim names the account, its roles claim names
// roles of the access file: permissions are decided in one place, the access file.
import { setTimeout as delay } from "node:timers/promises";
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import { accessOf, type AccessConfig, type AccessRole } from "./access-file";
import { AuthError } from "./errors";
import { createPrincipal, type Principal } from "./principal";
import { log } from "../log";

export interface OidcOptions {
  issuer: string;
  audience: string;
  /** Claim naming the account: `sub` by default; e.g. `preferred_username`, `client_id`. */
  accountClaim: string;
  /** Claim listing access-file roles (an array, or a space-separated string); dotted paths reach nested claims. */
  rolesClaim: string;
  /** How far the clocks of the store and the identity provider may differ (exp, nbf, iat). */
  clockSkewS: number;
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;
// Verified tokens are kept until they expire (at most this long), bounded in number.
const TOKEN_CACHE_MS = 5 * 60_000;
const MAX_CACHED_TOKENS = 10_000;
// Discovery or JWKS requests that hang must not hold calls: fail them as UNAVAILABLE after this.
const FETCH_TIMEOUT_MS = 5_000;
// After a failed discovery, calls are refused at once for this long before it is tried again.
const DISCOVERY_RETRY_MS = 5_000;
// A token naming a key the store has not seen refetches the JWKS (the issuer rotated its keys), at
// most once per this long: tokens with made-up key ids cannot make the store hammer the issuer. A
// token that arrives within it waits for it to pass instead of being refused, since a freshly
// rotated key is the honest reason for an unknown key id.
const JWKS_REFETCH_MS = 2_000;
// Only signatures with the issuer's public keys: never a shared secret (HS256 with a public key as
// the secret is the classic confusion attack), never `none`.
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

export class OidcVerifier {
  private keys?: Promise<RemoteKeys>;
  private failedUntil = 0;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly options: OidcOptions,
    private readonly access: AccessConfig,
  ) {}

  /** Fetches discovery once at start, so a wrong issuer shows in the log at once (not fatal: it may come up later). */
  async warmUp(): Promise<void> {
    try {
      await this.jwks();
    } catch (err) {
      log.warn("OIDC discovery failed; bearer tokens are refused until it succeeds", {
        issuer: this.options.issuer,
        error: (err as Error).message,
      });
    }
  }

  async authenticate(token: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.principal;
    this.checkIssuer(token);
    let payload: JWTPayload;
    try {
      const keys = await this.jwks();
      const verify = () =>
        jwtVerify(token, keys, {
          issuer: this.options.issuer,
          audience: this.options.audience,
          algorithms: ALGORITHMS,
          clockTolerance: this.options.clockSkewS,
          requiredClaims: ["exp"],
        });
      try {
        ({ payload } = await verify());
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey) || !keys.coolingDown) throw err;
        // The keys were fetched moments ago; wait until they may be fetched again, then try once more.
        await delay(JWKS_REFETCH_MS);
        ({ payload } = await verify());
      }
    } catch (err) {
      throw this.refusal(err);
    }
    const account = claimAt(payload, this.options.accountClaim);
    if (typeof account !== "string" || account === "") {
      throw AuthError.badToken(`it has no "${this.options.accountClaim}" claim to name the account`);
    }
    const principal = createPrincipal(account, "bearer", accessOf(this.rolesOf(account, payload)));
    if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value!);
    const expires = typeof payload.exp === "number" ? payload.exp * 1000 : now;
    this.cache.set(token, { principal, until: Math.min(expires, now + TOKEN_CACHE_MS) });
    return principal;
  }

  /**
   * The issuer the token claims, read before anything is verified: a token from elsewhere is
   * refused with a clear reason and without fetching keys for it. Verification checks it again.
   */
  private checkIssuer(token: string): void {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch (err) {
      throw AuthError.badToken(`it is not a JWT (${(err as Error).message})`);
    }
    if (claims.iss !== this.options.issuer) {
      const from =
        typeof claims.iss === "string" ? `by ${JSON.stringify(claims.iss).slice(0, 200)}` : "without an issuer";
      throw AuthError.badToken(`it was issued ${from}, not by ${this.options.issuer}`);
    }
  }

  /** The account's own roles (if the access file lists it) and the roles its token names. */
  private rolesOf(account: string, payload: JWTPayload): AccessRole[] {
    const named = new Set<string>(this.access.accounts.get(account)?.roles ?? []);
    const claimed = claimAt(payload, this.options.rolesClaim);
    const list = typeof claimed === "string" ? claimed.split(/[\s,]+/) : Array.isArray(claimed) ? claimed : [];
    for (const role of list) if (typeof role === "string") named.add(role);
    return [...named].flatMap((id) => this.access.roles.get(id) ?? []);
  }

  private jwks(): Promise<RemoteKeys> {
    if (Date.now() < this.failedUntil) return Promise.reject(AuthError.identityProviderDown());
    this.keys ??= discover(this.options.issuer).catch((err: Error) => {
      this.keys = undefined;
      this.failedUntil = Date.now() + DISCOVERY_RETRY_MS;
      log.warn("OIDC discovery failed", { issuer: this.options.issuer, error: err.message });
      throw AuthError.identityProviderDown();
    });
    return this.keys;
  }

  /** What the caller is told; the identity provider being unreachable is ours, and retryable. */
  private refusal(err: unknown): AuthError {
    if (err instanceof AuthError) return err;
    if (err instanceof errors.JWTExpired) return AuthError.badToken("it has expired; get a new one");
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === "iss") return AuthError.badToken(`it was not issued by ${this.options.issuer}`);
      if (err.claim === "aud") return AuthError.badToken(`its audience is not ${this.options.audience}`);
      return AuthError.badToken(`its "${err.claim}" claim is not acceptable (${err.reason})`);
    }
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed) {
      return AuthError.badToken(`its signature does not verify with the keys of ${this.options.issuer}`);
    }
    if (err instanceof errors.JOSEAlgNotAllowed) {
      return AuthError.badToken(`it is signed with an algorithm the store does not accept (${ALGORITHMS.join(", ")})`);
    }
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
      log.warn("OIDC keys could not be fetched", { issuer: this.options.issuer, error: (err as Error).message });
      return AuthError.identityProviderDown();
    }
    if (err instanceof errors.JOSEError) return AuthError.badToken(`it is not a valid signed JWT (${err.message})`);
    log.warn("OIDC token check failed", { error: (err as Error)?.message });
    return AuthError.identityProviderDown();
  }
}

async function discover(issuer: string): Promise<RemoteKeys> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const config = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (config.issuer !== issuer) {
    throw new Error(`${url} names issuer ${JSON.stringify(config.issuer)}; FACTLINE_OIDC_ISSUER must be exactly that`);
  }
  if (typeof config.jwks_uri !== "string") throw new Error(`${url} names no jwks_uri`);
  return createRemoteJWKSet(new URL(config.jwks_uri), {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cooldownDuration: JWKS_REFETCH_MS,
  });
}

/** A claim by name, or by dotted path into nested claims (Keycloak's `realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
