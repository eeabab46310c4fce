"use server";
// Sign-out, as a server action: the header's button and the /logout page post it. Ends the
// console's session (recorded in the store's audit trail) and, with OIDC, the provider's session
// too where the provider offers end_session.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { consoleOrigin } from "./request";
import { authRuntime } from "./runtime";
import { endSession } from "./session-cookie";

export async function signOut(): Promise<void> {
  const session = await endSession();
  const oidc = authRuntime().settings.oidc;
  if (session?.oidc && oidc) {
    const back = `${consoleOrigin(await headers())}/login?signed-out=1`;
    const { endSessionUrl } = await import("./oidc");
    const url = await endSessionUrl(oidc, session.oidc.idToken, back);
    if (url) redirect(url.href);
  }
  redirect("/login?signed-out=1");
}
