/**
 * The bar on top of every page: product, sections, store status, go-to box, display switches, who
 * is signed in. Signed out (the sign-in page) only the product and the theme: everything else asks
 * the store, which a signed-out browser may not.
 */
import Link from "@/components/ui/Link";
import { Account, type ConsoleIdentity } from "./Account";
import { GoToBox } from "./GoToBox";
import { NavLinks } from "./NavLinks";
import { StoreIndicator } from "./StoreIndicator";
import { ThemeSwitch } from "./ThemeSwitch";
import { TimeZoneSwitch } from "./TimeZoneSwitch";

export function Header(props: { identity: ConsoleIdentity; signOut: () => Promise<void> }) {
  const { mode, account } = props.identity;
  const signedOut = (mode === "store" || mode === "oidc") && !account;
  return (
    <header className="sticky top-0 z-20 border-b border-line bg-surface/95 backdrop-blur">
      <div className="mx-auto flex h-12 max-w-[1800px] items-center gap-3 px-4">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:rounded focus:bg-accent focus:px-2 focus:py-1 focus:text-accent-fg"
        >
          Skip to content
        </a>
        <Link
          href="/"
          className="flex items-center gap-2 rounded-md pr-2 text-[15px] font-semibold tracking-tight text-fg"
        >
          <span
            aria-hidden
            className="flex size-6 items-center justify-center rounded bg-accent font-mono text-xs text-accent-fg"
          >
            f
          </span>
          factline
        </Link>
        {!signedOut && <NavLinks />}
        <div className="ml-auto flex min-w-0 items-center gap-2">
          {!signedOut && (
            <>
              <StoreIndicator />
              <GoToBox />
              <TimeZoneSwitch />
            </>
          )}
          <ThemeSwitch />
          {!signedOut && <Account identity={props.identity} signOut={props.signOut} />}
        </div>
      </div>
    </header>
  );
}
