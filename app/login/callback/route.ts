// GET /login/callback?code=…&state=…: the identity provider sends the browser back here. The code
// is exchanged (state, nonce and PKCE checked), the store is asked who the token's bearer is
// (recording the sign-in in its audit trail), and a session starts.
import { Code, ConnectError } from "@connectrpc/connect";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import {
  readCookie,
  SECURE_SIGN_IN_FLOW_COOKIE,
  SIGN_IN_FLOW_COOKIE,
  SIGN_IN_FLOW_SECONDS,
  signInFlowCookie,
  unseal,
} from "@/lib/backend/auth/cookies";
import { finishSignIn, type SignInFlow } from "@/lib/backend/auth/oidc";
import { clientAddress } from "@/lib/backend/auth/request";
import { authRuntime } from "@/lib/backend/auth/runtime";
import { secureRequest, startSession } from "@/lib/backend/auth/session-cookie";
import { log } from "@/lib/backend/log";
import { sharedUpstream } from "@/lib/backend/upstream/upstream";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  const runtime = authRuntime();
  const settings = runtime.settings.oidc;
  if ((await runtime.mode()) !== "oidc" || !settings) redirect("/login");
  const jar = await cookies();
  const flow = await unseal<SignInFlow>(
    readCookie((name) => jar.get(name)?.value, [SECURE_SIGN_IN_FLOW_COOKIE, SIGN_IN_FLOW_COOKIE]),
    runtime.secret(),
    SIGN_IN_FLOW_SECONDS,
  );
  // Used once: a replayed callback URL finds no flow.
  const spec = signInFlowCookie(await secureRequest());
  jar.set(spec.name, "", { ...spec.options, maxAge: 0 });
  if (!flow?.state || !flow.nonce || !flow.verifier || !flow.redirectUri) redirect("/login?error=expired");
  const next = flow.next ?? "/";
  const fail = (code: string, detail: string): never => {
    log.warn("an OIDC sign-in failed", { reason: code, detail });
    redirect(`/login?error=${code}&next=${encodeURIComponent(next)}`);
  };

  let signedIn: Awaited<ReturnType<typeof finishSignIn>> | undefined;
  try {
    signedIn = await finishSignIn(settings, req.nextUrl, flow as SignInFlow);
  } catch (err) {
    fail("provider", err instanceof Error ? err.message : String(err));
  }
  const { tokens } = signedIn!;
  const as = sharedUpstream().withCredentials(
    { token: tokens.accessToken },
    { "x-forwarded-for": clientAddress(await headers()) },
  );
  let account = "";
  try {
    const { access } = await as.access.signIn({}, { timeoutMs: 10_000 });
    if (access?.via === "open") fail("store-open", "the store runs without an access file");
    account = access?.account ?? "";
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    if (err.code === Code.Unauthenticated) fail("store-refused", err.rawMessage);
    if (err.code === Code.Unimplemented) fail("store-no-oidc", err.rawMessage);
    fail("store-unreachable", err.rawMessage);
  }
  await startSession({
    account: account || signedIn!.name,
    via: "bearer",
    credentials: { token: tokens.accessToken },
    oidc: tokens,
  });
  redirect(next);
}
