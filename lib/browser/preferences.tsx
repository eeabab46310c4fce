"use client";
/**
 * Theme and time zone, remembered in cookies (see lib/view/preferences.ts) and shared through
 * context so every timestamp on screen switches at once.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import {
  THEME_COOKIE,
  TIME_ZONE_COOKIE,
  preferenceCookie,
  type ThemeChoice,
  type TimeZoneChoice,
} from "../view/preferences";

interface Preferences {
  theme: ThemeChoice;
  timeZone: TimeZoneChoice;
  setTheme(theme: ThemeChoice): void;
  setTimeZone(zone: TimeZoneChoice): void;
}

const PreferencesContext = createContext<Preferences | null>(null);

export function PreferencesProvider(props: { theme: ThemeChoice; timeZone: TimeZoneChoice; children: ReactNode }) {
  const [theme, setThemeState] = useState(props.theme);
  const [timeZone, setTimeZoneState] = useState(props.timeZone);

  const setTheme = useCallback((next: ThemeChoice) => {
    setThemeState(next);
    // The root element carries the choice; CSS falls back to the OS preference without it.
    if (next === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", next);
    document.cookie = preferenceCookie(THEME_COOKIE, next);
  }, []);

  const setTimeZone = useCallback((next: TimeZoneChoice) => {
    setTimeZoneState(next);
    document.cookie = preferenceCookie(TIME_ZONE_COOKIE, next);
  }, []);

  const value = useMemo(() => ({ theme, timeZone, setTheme, setTimeZone }), [theme, timeZone, setTheme, setTimeZone]);
  return <PreferencesContext.Provider value={value}>{props.children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error("usePreferences needs <PreferencesProvider> (app/layout.tsx)");
  return value;
}
