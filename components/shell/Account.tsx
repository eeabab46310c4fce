/**
 * Who is using the console, in the header: the signed-in account and a sign-out button, or — with
 * FACTLINE_CONSOLE_AUTH=none — a plain statement that there is no sign-in.
 */
import { buttonClass } from "@/components/ui/Button";

export interface ConsoleIdentity {
  /** How the console signs people in (README "Signing in"); unknown while the store does not say. */
  mode: "store" | "oidc" | "none" | "unknown";
  account?: string;
}

export function Account(props: { identity: ConsoleIdentity; signOut: () => Promise<void> }) {
  if (props.identity.mode === "none") {
    return (
      <span
        data-testid="open-console"
        title="FACTLINE_CONSOLE_AUTH=none: the console calls the store with its own access, for everyone. Allowed on a loopback address only."
        className="hidden max-w-56 truncate rounded-md border border-warn/40 bg-warn-soft px-2 py-1 text-xs text-fg lg:inline"
      >
        open: anyone who can reach this console can use it
      </span>
    );
  }
  // Not known yet whether this console signs anyone in (the store does not answer): nobody to show.
  if (!props.identity.account) return null;
  return (
    <div className="flex min-w-0 items-center gap-1" data-testid="account">
      <span className="max-w-40 truncate text-xs text-muted" title={`Signed in as ${props.identity.account}`}>
        <span aria-hidden>● </span>
        <span data-testid="account-name" className="font-medium text-fg">
          {props.identity.account}
        </span>
      </span>
      <form action={props.signOut}>
        <button type="submit" className={buttonClass("ghost", "sm")} data-testid="sign-out">
          Sign out
        </button>
      </form>
    </div>
  );
}
