// Starting and ending a session in a server action or route handler: the session table entry and
// the cookie that names it, together.
import "server-only";
import { cookies, headers } from "next/headers";
import { isSecureRequest, seal, sessionCookie } from "./cookies";
import { currentSession } from "./request";
import { authRuntime, recordEnd } from "./runtime";
import type { Session } from "./sessions";

/** Whether this request reached the console over https (cookies are then Secure and __Host-). */
export async function secureRequest(): Promise<boolean> {
  return isSecureRequest(authRuntime().settings.publicOrigin, (await headers()).get("x-forwarded-proto"));
}

/** A new session for a checked account, and its cookie on the response. */
export async function startSession(init: Pick<Session, "account" | "via" | "credentials" | "oidc">): Promise<Session> {
  const runtime = authRuntime();
  const session = runtime.sessions.create(init);
  const spec = sessionCookie(await secureRequest(), runtime.settings.maxSeconds);
  const sealed = await seal({ sid: session.id }, runtime.secret(), runtime.settings.maxSeconds);
  const jar = await cookies();
  jar.set(spec.name, sealed, spec.options);
  return session;
}

/**
 * Signs the current session out: gone from the table at once (a copy of the cookie no longer
 * works), recorded in the store's audit trail as that user, the cookie cleared. Returns the ended
 * session (undefined when there was none) so OIDC can end the provider's session too.
 */
export async function endSession(): Promise<Session | undefined> {
  const runtime = authRuntime();
  const session = await currentSession();
  if (session) {
    runtime.sessions.end(session.id);
    await recordEnd(runtime.upstreamFor(session), session, "signed out");
  }
  const jar = await cookies();
  // Overwritten with an expired one carrying the same attributes: a __Host- cookie can only be
  // replaced by one that is Secure with path=/, which a bare delete is not.
  for (const secure of [false, true]) {
    const spec = sessionCookie(secure, 0);
    if (jar.get(spec.name)) jar.set(spec.name, "", { ...spec.options, maxAge: 0 });
  }
  return session;
}
