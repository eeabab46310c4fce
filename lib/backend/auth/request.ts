// One request's caller: the session its cookie names, the store as that user, or a refusal. Used by
// the API route (every call), the export route, pages' server-side prefetch and the header.
import "server-only";
import { cookies, headers } from "next/headers";
import { SIGN_IN_HEADER } from "../../browser/transport";
import { anonymous, sharedUpstream, type Upstream } from "../upstream/upstream";
import { readCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE, unseal } from "./cookies";
import { authRuntime, type EffectiveMode } from "./runtime";
import type { Session } from "./sessions";

const SESSION_COOKIES = [SECURE_SESSION_COOKIE, SESSION_COOKIE] as const;
/** Set by scripts/launch/peer-address.mjs: the address of the connection the request came on. */
export const PEER_HEADER = "x-factline-peer";

/**
 * The browser's address, for the sign-in limiter and the store's audit trail. The connection's
 * own address, unless that is a proxy on this machine (loopback): then the address the proxy
 * appended last to x-forwarded-for. Without the launcher's stamp (a console not started by
 * scripts/launch/console.ts), the last x-forwarded-for entry, which Next.js fills from the socket.
 */
export function clientAddress(h: Pick<Headers, "get">): string {
  const peer = h.get(PEER_HEADER)?.trim();
  const forwarded = h.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (peer && !isLoopbackAddress(peer)) return peer;
  return forwarded || peer || "unknown";
}

function isLoopbackAddress(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/**
 * The console's origin as the browser sees it: FACTLINE_CONSOLE_URL, else the request's own Host
 * (which proxy.ts has checked is the console's) and scheme.
 */
export function consoleOrigin(h: Pick<Headers, "get">): string {
  const { publicOrigin } = authRuntime().settings;
  if (publicOrigin) return publicOrigin.origin;
  const https = h.get("x-forwarded-proto")?.split(",")[0].trim() === "https";
  return `${https ? "https" : "http"}://${h.get("host") ?? "127.0.0.1"}`;
}

/** The live session named by a sealed cookie value, or undefined. */
export async function sessionOfCookie(sealed: string | undefined): Promise<Session | undefined> {
  const runtime = authRuntime();
  const data = await unseal<{ sid: string }>(sealed, runtime.secret(), runtime.settings.maxSeconds);
  return typeof data?.sid === "string" ? runtime.sessions.use(data.sid) : undefined;
}

/** The session of a Request (route handlers). */
export async function sessionOfRequest(req: Request): Promise<Session | undefined> {
  const jar = parseCookies(req.headers.get("cookie"));
  return sessionOfCookie(readCookie((name) => jar.get(name), SESSION_COOKIES));
}

/** The session of the request being rendered (server components, server actions). */
export async function currentSession(): Promise<Session | undefined> {
  const jar = await cookies();
  return sessionOfCookie(readCookie((name) => jar.get(name)?.value, SESSION_COOKIES));
}

/** What the header shows: how the console signs people in, and who is signed in. */
export async function currentIdentity(): Promise<{ mode: EffectiveMode; account?: string }> {
  const mode = await authRuntime().mode();
  if (mode === "none" || mode === "unknown") return { mode };
  return { mode, account: (await currentSession())?.account };
}

/**
 * The store as the caller of an API request, or the Connect `unauthenticated` answer for a
 * signed-out one (with a header that sends the browser to the sign-in page).
 */
export async function identifyApiCall(req: Request): Promise<Upstream | Response> {
  const runtime = authRuntime();
  const mode = await runtime.mode();
  if (mode === "none") return sharedUpstream();
  if (mode === "unknown") return anonymous(sharedUpstream());
  const session = await sessionOfRequest(req);
  const upstream = session && (await upstreamOf(session, clientAddress(req.headers)));
  if (upstream) return upstream;
  return Response.json(
    { code: "unauthenticated", message: "not signed in, or the session has ended: sign in at /login" },
    { status: 401, headers: { [SIGN_IN_HEADER]: "/login", "cache-control": "no-store" } },
  );
}

/**
 * An API handler whose 401s end the caller's session: the store no longer accepts that user's
 * credentials (a changed password, a revoked token), so the console's session is dead too, and
 * the browser is sent to sign in again rather than shown the store's refusal on every poll.
 */
export function endingRefusedSessions(handler: (req: Request) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    const res = await handler(req);
    if (res.status !== 401 || res.headers.has(SIGN_IN_HEADER)) return res;
    const session = await sessionOfRequest(req);
    if (!session) return res;
    authRuntime().sessions.end(session.id);
    return Response.json(
      {
        code: "unauthenticated",
        message: `the store no longer accepts the sign-in of ${session.account}: sign in again at /login`,
      },
      { status: 401, headers: { [SIGN_IN_HEADER]: "/login", "cache-control": "no-store" } },
    );
  };
}

/** The store as the user of the page being rendered (prefetch); undefined when signed out. */
export async function requestUpstream(): Promise<Upstream | undefined> {
  const mode = await authRuntime().mode();
  if (mode === "none") return sharedUpstream();
  if (mode === "unknown") return anonymous(sharedUpstream());
  const session = await currentSession();
  return session && upstreamOf(session, clientAddress(await headers()));
}

/** OIDC sessions first renew an access token about to expire; one that cannot be renewed ends the session. */
async function upstreamOf(session: Session, address: string): Promise<Upstream | undefined> {
  const runtime = authRuntime();
  // Loaded only for OIDC sessions: openid-client is a sizeable module every page would otherwise load.
  if (session.oidc && !(await (await import("./oidc")).freshTokens(session))) {
    runtime.sessions.end(session.id);
    return undefined;
  }
  return runtime.upstreamFor(session, address);
}

function parseCookies(header: string | null): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    try {
      jar.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed cookie is no cookie: the request is simply signed out.
    }
  }
  return jar;
}
