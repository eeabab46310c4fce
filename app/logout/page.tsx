/**
 * `/logout`: the sign-out page (the header's button does the same in one click). A page with a
 * button rather than a sign-out on GET, so no link on another site can sign anyone out.
 */
import { SignInPanel } from "@/components/auth/SignInPanel";
import { Button, ButtonLink } from "@/components/ui/Button";
import { signOut } from "@/lib/backend/auth/actions";
import { currentIdentity } from "@/lib/backend/auth/request";

export const metadata = { title: "Sign out" };

export default async function LogoutPage() {
  const { mode, account } = await currentIdentity();
  if (mode === "none") {
    return (
      <SignInPanel
        title="No sign-in"
        subtitle="This console runs without sign-in (FACTLINE_CONSOLE_AUTH=none): there is nothing to sign out of."
      >
        <ButtonLink href="/">Back to the console</ButtonLink>
      </SignInPanel>
    );
  }
  if (!account) {
    return (
      <SignInPanel title="You are signed out">
        <ButtonLink href="/login" variant="primary">
          Sign in
        </ButtonLink>
      </SignInPanel>
    );
  }
  return (
    <SignInPanel title="Sign out" subtitle={`You are signed in as ${account}.`}>
      <form action={signOut}>
        <Button type="submit" variant="primary" className="w-full">
          Sign out
        </Button>
      </form>
    </SignInPanel>
  );
}
