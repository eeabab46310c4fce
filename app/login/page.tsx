/**
 * `/login` (README "Signing in"): a user name and password checked by the store
 * (FACTLINE_CONSOLE_AUTH=store), or the way to the identity provider (oidc). Signed-in users and a
 * console without sign-in go straight on to `next`.
 */
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { SignInPanel } from "@/components/auth/SignInPanel";
import { ButtonLink } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import { safeNextPath } from "@/lib/backend/auth/next-path";
import { currentSession } from "@/lib/backend/auth/request";
import { authRuntime } from "@/lib/backend/auth/runtime";
import { sharedUpstream } from "@/lib/backend/upstream/upstream";
import { signIn } from "./actions";

export const metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Why an OIDC sign-in came back without a session (app/login/callback/route.ts); the details are in the console's log. */
const OIDC_ERRORS: Record<string, string> = {
  provider:
    "The identity provider could not sign you in, or could not be reached. Try again; if it keeps failing, the console's log says why.",
  expired: "The sign-in took too long or was opened in another browser. Start it again.",
  "store-refused":
    "The store does not accept the identity provider's token for you (issuer, audience or roles). Ask the store's operator.",
  "store-no-oidc":
    "The store does not accept OIDC tokens (it is a plain FactCast server, or has no FACTLINE_OIDC_ISSUER).",
  "store-unreachable": "The store could not be reached to check your sign-in. Try again shortly.",
  "store-open": "The store runs without an access file, so it cannot tell who you are.",
};

export default async function LoginPage(props: Props) {
  const params = await props.searchParams;
  const next = safeNextPath(first(params.next));
  const runtime = authRuntime();
  const mode = await runtime.mode();
  // No sign-in (none), or none possible yet (the store does not answer; the pages say so).
  if (mode === "none" || mode === "unknown" || (await currentSession())) redirect(next);
  const signedOut = first(params["signed-out"]) !== undefined;
  const error = OIDC_ERRORS[first(params.error) ?? ""];

  if (mode === "oidc") {
    const issuer = runtime.settings.oidc?.issuer.host ?? "the identity provider";
    return (
      <SignInPanel title="Sign in to factline" subtitle={`with your account at ${issuer}`}>
        <div className="space-y-4">
          {signedOut && <Notice tone="ok" title="You are signed out." />}
          {error && (
            <Notice tone="danger" title="Not signed in">
              <span data-testid="login-error">{error}</span>
            </Notice>
          )}
          {/* A link, not a form: leaving for the provider is a navigation (CSP form-action stays 'self'). */}
          <ButtonLink
            href={`/login/oidc?next=${encodeURIComponent(next)}`}
            variant="primary"
            className="w-full"
            prefetch={false}
          >
            Sign in with {issuer}
          </ButtonLink>
        </div>
      </SignInPanel>
    );
  }
  return (
    <SignInPanel title="Sign in to factline" subtitle={`with an account of the store at ${sharedUpstream().url}`}>
      {signedOut && <Notice tone="ok" title="You are signed out." className="mb-4" />}
      <LoginForm next={next} action={signIn} />
    </SignInPanel>
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
