// OIDC bearer access tokens (`authorization: Bearer <JWT>`), verified with `jose`: the issuer's
// discovery document names its JWKS, which jose fetches and refetches when a token names a key it
// has not seen (key rotation). The token's account claim names the account, its roles claim names
// roles of the access file: permissions are decided in one place, the access file.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
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
}

// Clocks of the store and the identity provider may differ by this much (exp, nbf, iat).
const CLOCK_SKEW_S = 30;
// Verified tokens are kept until they expire (at most this long), bounded in number.
const TOKEN_CACHE_MS = 5 * 60_000;
const MAX_CACHED_TOKENS = 10_000;
// Discovery or JWKS requests that hang must not hold calls: fail them as UNAVAILABLE after this.
const FETCH_TIMEOUT_MS = 5_000;
// After a failed discovery, calls are refused at once for this long before it is tried again.
const DISCOVERY_RETRY_MS = 5_000;

export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;
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
    let payload: JWTPayload;
    try {
      const keys = await this.jwks();
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: CLOCK_SKEW_S,
        requiredClaims: ["exp"],
      }));
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

  /** The account's own roles (if the access file lists it) and the roles its token names. */
  private rolesOf(account: string, payload: JWTPayload): AccessRole[] {
    const named = new Set<string>(this.access.accounts.get(account)?.roles ?? []);
    const claimed = claimAt(payload, this.options.rolesClaim);
    const list = typeof claimed === "string" ? claimed.split(/[\s,]+/) : Array.isArray(claimed) ? claimed : [];
    for (const role of list) if (typeof role === "string") named.add(role);
    return [...named].flatMap((id) => this.access.roles.get(id) ?? []);
  }

  private jwks(): Promise<JWTVerifyGetKey> {
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
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
      log.warn("OIDC keys could not be fetched", { issuer: this.options.issuer, error: (err as Error).message });
      return AuthError.identityProviderDown();
    }
    if (err instanceof errors.JOSEError) return AuthError.badToken(`it is not a valid signed JWT (${err.message})`);
    log.warn("OIDC token check failed", { error: (err as Error)?.message });
    return AuthError.identityProviderDown();
  }
}

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const config = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (config.issuer !== issuer) {
    throw new Error(`${url} names issuer ${JSON.stringify(config.issuer)}; FACTLINE_OIDC_ISSUER must be exactly that`);
  }
  if (typeof config.jwks_uri !== "string") throw new Error(`${url} names no jwks_uri`);
  return createRemoteJWKSet(new URL(config.jwks_uri), { timeoutDuration: FETCH_TIMEOUT_MS });
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
