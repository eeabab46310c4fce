/**
 * The two remembered display preferences. Kept in cookies rather than localStorage so the server
 * renders the page in the chosen theme and zone from the first byte: no flash of the wrong theme,
 * no toggle that changes label after hydration. Pure, so the root layout (server) and the
 * switches (browser) read them the same way.
 */

export type ThemeChoice = "light" | "dark" | "system";
export type TimeZoneChoice = "utc" | "local";

export const THEME_COOKIE = "factline-theme";
export const TIME_ZONE_COOKIE = "factline-tz";
/** A year: a preference should outlive browser restarts, not be forever. */
const COOKIE_MAX_AGE_S = 365 * 24 * 3600;

export function parseTheme(value: string | undefined): ThemeChoice {
  return value === "light" || value === "dark" ? value : "system";
}

/** UTC unless the user chose local: operators compare times across machines and logs. */
export function parseTimeZone(value: string | undefined): TimeZoneChoice {
  return value === "local" ? "local" : "utc";
}

/** A `document.cookie` assignment that remembers `value` for the whole console. */
export function preferenceCookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; SameSite=Lax`;
}
