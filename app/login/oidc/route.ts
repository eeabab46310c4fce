// GET /login/oidc?next=…: leaves for the identity provider (FACTLINE_CONSOLE_AUTH=oidc), keeping the
// flow's state, nonce and PKCE verifier in a sealed cookie until the browser comes back to
// /login/callback.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import { seal, signInFlowCookie, SIGN_IN_FLOW_SECONDS } from "@/lib/backend/auth/cookies";
import { safeNextPath } from "@/lib/backend/auth/next-path";
import { beginSignIn } from "@/lib/backend/auth/oidc";
import { consoleOrigin } from "@/lib/backend/auth/request";
import { authRuntime } from "@/lib/backend/auth/runtime";
import { secureRequest } from "@/lib/backend/auth/session-cookie";
import { log } from "@/lib/backend/log";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  const runtime = authRuntime();
  const next = safeNextPath(req.nextUrl.searchParams.get("next"));
  const settings = runtime.settings.oidc;
  if ((await runtime.mode()) !== "oidc" || !settings) redirect("/login");
  let target: URL;
  try {
    const { url, flow } = await beginSignIn(settings, consoleOrigin(await headers()), next);
    const spec = signInFlowCookie(await secureRequest());
    (await cookies()).set(spec.name, await seal(flow, runtime.secret(), SIGN_IN_FLOW_SECONDS), spec.options);
    target = url;
  } catch (err) {
    log.warn("an OIDC sign-in could not start", { error: err instanceof Error ? err.message : String(err) });
    redirect(`/login?error=provider&next=${encodeURIComponent(next)}`);
  }
  redirect(target.href);
}
