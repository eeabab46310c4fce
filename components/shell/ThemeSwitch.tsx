"use client";
/**
 * Light/dark switch. Without a remembered choice the OS decides, which the server cannot know; so
 * the label is picked by CSS (the `dark:` variant), not by state, and never flips after hydration.
 */
import { usePreferences } from "@/lib/browser/preferences";
import { buttonClass } from "@/components/ui/Button";

export function ThemeSwitch() {
  const { setTheme } = usePreferences();
  const toggle = () => {
    const explicit = document.documentElement.getAttribute("data-theme");
    const dark = explicit ? explicit === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
    setTheme(dark ? "light" : "dark");
  };
  return (
    <button
      type="button"
      onClick={toggle}
      className={buttonClass("ghost", "sm", "w-[5.5rem]")}
      title="Switch between light and dark theme (remembered)"
    >
      <span className="dark:hidden">◐ Dark</span>
      <span className="hidden dark:inline">◑ Light</span>
    </button>
  );
}
