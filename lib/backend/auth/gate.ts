// What proxy.ts does with every request before Next.js routes it: refuse foreign Host and Origin
// values, send signed-out page views to the sign-in page, and put the security headers and a
// fresh CSP nonce on the way. The API checks the session itself as well (lib/backend/auth/request.ts):
// this is the front door, not the only lock.
import { NextResponse, type NextRequest } from "next/server";
import { loginUrlFor } from "./next-path";
import { checkRequest, originPolicy, type OriginPolicy } from "./origin";
import { sessionOfRequest } from "./request";
import { authRuntime } from "./runtime";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "./security-headers";

/** Pages a signed-out user may see: the sign-in page (and its OIDC legs) and the sign-out page. */
const PUBLIC_PAGES = /^\/(login|logout)(\/|$)/;

const POLICY = Symbol.for("factline.console.origin-policy");
type Holder = { [POLICY]?: OriginPolicy };

export async function gate(req: NextRequest): Promise<NextResponse> {
  const runtime = authRuntime();
  const holder = globalThis as Holder;
  const policy = (holder[POLICY] ??= originPolicy(runtime.settings));
  const path = req.nextUrl.pathname;
  const refusal = checkRequest(
    {
      method: req.method,
      path,
      host: req.headers.get("host"),
      origin: req.headers.get("origin"),
      secFetchSite: req.headers.get("sec-fetch-site"),
      contentType: req.headers.get("content-type"),
    },
    policy,
  );
  if (refusal) return secured(new NextResponse(refusal.reason + "\n", { status: refusal.status, headers: TEXT }));

  const api = path === "/api" || path.startsWith("/api/");
  if (api) return secured(NextResponse.next()); // the route checks the session and answers `unauthenticated`

  const mode = await runtime.mode();
  const signInNeeded = mode === "store" || mode === "oidc";
  if (signInNeeded && !PUBLIC_PAGES.test(path) && !(await sessionOfRequest(req))) {
    const login = new URL(loginUrlFor(path + req.nextUrl.search), req.url);
    // 303: whatever the method (a server action posted from a page whose session ended), fetch the sign-in page.
    return secured(NextResponse.redirect(login, 303));
  }

  const nonce = newNonce();
  const oidcIssuer = runtime.settings.oidc?.issuer.origin;
  const csp = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    formTargets: oidcIssuer ? [oidcIssuer] : [],
  });
  // Next.js reads the nonce from the request's policy and puts it on every script it renders.
  const forwarded = new Headers(req.headers);
  forwarded.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers: forwarded } });
  res.headers.set("content-security-policy", csp);
  return secured(res);
}

const TEXT = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

function secured(res: NextResponse): NextResponse {
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(name, value);
  if (!res.headers.has("content-security-policy")) {
    // Not a page: nothing in it may run or be framed.
    res.headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  }
  return res;
}
