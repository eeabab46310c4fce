/**
 * The console's shell. Theme and time zone come from cookies so the first byte is already right
 * (lib/view/preferences.ts); no web fonts: the console must work offline, next to its store.
 */
import type { Metadata } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { Header } from "@/components/shell/Header";
import { signOut } from "@/lib/backend/auth/actions";
import { currentIdentity } from "@/lib/backend/auth/request";
import { PreferencesProvider } from "@/lib/browser/preferences";
import { ConsoleProviders } from "@/lib/browser/providers";
import { THEME_COOKIE, TIME_ZONE_COOKIE, parseTheme, parseTimeZone } from "@/lib/view/preferences";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "factline", template: "%s · factline" },
  description: "Browse, query and inspect the facts in a FactCast-compatible event store.",
  // public/: the header's mark as SVG, and an ICO for browsers and tools that only ask for that.
  icons: {
    icon: [
      { url: "/favicon.svg", type: "image/svg+xml" },
      { url: "/favicon.ico", sizes: "32x32 64x64" },
    ],
  },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const jar = await cookies();
  const theme = parseTheme(jar.get(THEME_COOKIE)?.value);
  const timeZone = parseTimeZone(jar.get(TIME_ZONE_COOKIE)?.value);
  const identity = await currentIdentity();
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <body className="flex min-h-dvh flex-col">
        <PreferencesProvider theme={theme} timeZone={timeZone}>
          <ConsoleProviders>
            <Header identity={identity} signOut={signOut} />
            <main id="main" className="mx-auto flex w-full max-w-[1800px] min-w-0 flex-1 flex-col px-4 py-4">
              {children}
            </main>
          </ConsoleProviders>
        </PreferencesProvider>
      </body>
    </html>
  );
}
