// The console's cookies and how they are set. The session cookie holds only a sealed session id
// (sessions.ts says why); the sign-in-flow cookie holds an OIDC sign-in's state, nonce and PKCE
// verifier for the few minutes between leaving for the provider and coming back. Both sealed with
// iron-session (encrypted and signed with the session secret), HttpOnly (no script can read them),
// SameSite=Lax (not sent with other sites' requests, except top-level navigations — which the
// OIDC callback is), Secure when the console is reached over https.
import { sealData, unsealData } from "iron-session";

export const SESSION_COOKIE = "factline-session";
/** With https the __Host- prefix binds the cookie to this exact origin: no subdomain can set or shadow it. */
export const SECURE_SESSION_COOKIE = "__Host-factline-session";
export const SIGN_IN_FLOW_COOKIE = "factline-sign-in";
export const SECURE_SIGN_IN_FLOW_COOKIE = "__Host-factline-sign-in";
/** An OIDC sign-in must come back from the provider within this; a user typing a password has ample time. */
export const SIGN_IN_FLOW_SECONDS = 10 * 60;

export interface CookieOptions {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

export interface CookieSpec {
  name: string;
  options: CookieOptions;
}

/**
 * Whether the browser reached the console over https: FACTLINE_CONSOLE_URL says so, or a TLS proxy
 * in front says x-forwarded-proto: https. (A client that claims https over plain http only gets a
 * cookie its browser will not send back.)
 */
export function isSecureRequest(publicOrigin: URL | undefined, forwardedProto: string | null): boolean {
  if (publicOrigin) return publicOrigin.protocol === "https:";
  return forwardedProto?.split(",")[0].trim().toLowerCase() === "https";
}

/** The session cookie: lives as long as a session may (the server ends it earlier when idle). */
export function sessionCookie(secure: boolean, maxSeconds: number): CookieSpec {
  return {
    name: secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE,
    options: { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: maxSeconds },
  };
}

export function signInFlowCookie(secure: boolean): CookieSpec {
  return {
    name: secure ? SECURE_SIGN_IN_FLOW_COOKIE : SIGN_IN_FLOW_COOKIE,
    options: { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: SIGN_IN_FLOW_SECONDS },
  };
}

/** A cookie's value under either of its names (the secure one first). */
export function readCookie(get: (name: string) => string | undefined, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = get(name);
    if (value) return value;
  }
  return undefined;
}

/** Sealed values past this are not ours (a session id seals to ~200 characters, a sign-in flow to ~500). */
const MAX_SEALED_LENGTH = 4096;

export async function seal(data: object, secret: string, ttlSeconds: number): Promise<string> {
  return sealData(data, { password: secret, ttl: ttlSeconds });
}

/**
 * The sealed data, or undefined when the value is forged, tampered with, sealed with another
 * secret or past its ttl — all the same to the caller: no session.
 */
export async function unseal<T extends object>(
  sealed: string | undefined,
  secret: string,
  ttlSeconds: number,
): Promise<Partial<T> | undefined> {
  if (!sealed || sealed.length > MAX_SEALED_LENGTH) return undefined;
  try {
    const data = await unsealData<Partial<T>>(sealed, { password: secret, ttl: ttlSeconds });
    return data && Object.keys(data).length > 0 ? data : undefined;
  } catch {
    return undefined;
  }
}
