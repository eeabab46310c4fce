/**
 * Which Chromium the end-to-end tests drive. README "The two commands": under CI=true browser tests are
 * mandatory (a missing Chromium fails the run); elsewhere they are skipped with the reason printed.
 */
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** Flags for a quiet, headless, sandbox-less browser that never talks to the network on its own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type ChromiumLookup = { path: string } | { missing: string };

export function findChromium(env = process.env): ChromiumLookup {
  if (env.CHROMIUM_PATH) {
    return existsSync(env.CHROMIUM_PATH)
      ? { path: env.CHROMIUM_PATH }
      : { missing: `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` };
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  return found
    ? { path: found }
    : { missing: `no Chromium at ${CANDIDATES.join(", ")} (set CHROMIUM_PATH, or apt-get install -y chromium)` };
}
