"use server";
// The sign-in form's action (FACTLINE_CONSOLE_AUTH=store): input checked, the attempt counted
// (per account and per address), the credentials checked by the store, then a session and back to
// where the user was going.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { SignInState } from "@/components/auth/LoginForm";
import { safeNextPath } from "@/lib/backend/auth/next-path";
import { clientAddress } from "@/lib/backend/auth/request";
import { authRuntime } from "@/lib/backend/auth/runtime";
import { startSession } from "@/lib/backend/auth/session-cookie";
import { checkInput, checkStoreCredentials } from "@/lib/backend/auth/sign-in";
import { sharedUpstream } from "@/lib/backend/upstream/upstream";

export async function signIn(_state: SignInState, form: FormData): Promise<SignInState> {
  const username = String(form.get("username") ?? "");
  const password = String(form.get("password") ?? "");
  const next = safeNextPath(String(form.get("next") ?? "/"));
  // Echoed back into the form only when it could be one; a megabyte of "name" is not kept.
  const kept = username.length <= 256 ? username : "";
  const runtime = authRuntime();
  const mode = await runtime.mode();
  if (mode === "none") redirect(next);
  // unknown: the store does not answer yet; the check below says so.
  if (mode === "oidc") return { error: "This console signs in through its identity provider, not with a password." };

  const invalid = checkInput(username, password);
  if (invalid) return { error: invalid, username: kept };

  const address = clientAddress(await headers());
  const verdict = await runtime.limiter.attempt(username, address);
  if (!verdict.allowed) {
    const who = verdict.why === "account" ? "for this account" : "from your address";
    return { error: `Too many failed sign-ins ${who}. Try again in ${verdict.retryAfterSeconds} s.`, username: kept };
  }
  const check = await checkStoreCredentials(sharedUpstream(), username, password, address);
  if (!check.ok) {
    // The store being down or open is not the user's failure: it does not count against them.
    if (!check.counts) await runtime.limiter.refund(username, address);
    return { error: check.message, username: kept };
  }
  await runtime.limiter.succeeded(username, address);
  await startSession({ account: check.account, via: "basic", credentials: { user: username, password } });
  redirect(next);
}
