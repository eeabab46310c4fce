"use client";
/**
 * The sign-in form of FACTLINE_CONSOLE_AUTH=store: user name and password, checked by the store
 * (app/login/actions.ts). A plain form posting a server action, so it works before the page's
 * scripts have loaded, too; the answer keeps the user name and says what went wrong.
 */
import { useActionState } from "react";
import { Button } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";

export interface SignInState {
  error?: string;
  username?: string;
}

const input =
  "h-9 w-full rounded-md border border-line bg-surface px-3 text-sm text-fg placeholder:text-subtle focus:border-accent focus:outline-none focus:ring-2 focus:ring-accent/30";

export function LoginForm(props: {
  next: string;
  action: (state: SignInState, form: FormData) => Promise<SignInState>;
}) {
  const [state, submit, pending] = useActionState(props.action, {});
  return (
    <form action={submit} className="space-y-4" data-testid="login-form">
      <input type="hidden" name="next" value={props.next} />
      {state.error && (
        <Notice tone="danger" title="Not signed in">
          <span data-testid="login-error">{state.error}</span>
        </Notice>
      )}
      <div className="space-y-1.5">
        <label htmlFor="username" className="block text-sm font-medium text-fg">
          User name
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={256}
          defaultValue={state.username}
          // A failed sign-in keeps the name and puts the cursor where the retry starts.
          autoFocus={!state.username}
          className={input}
        />
      </div>
      <div className="space-y-1.5">
        <label htmlFor="password" className="block text-sm font-medium text-fg">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          autoFocus={!!state.username}
          className={input}
        />
      </div>
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
