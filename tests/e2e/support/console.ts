/**
 * The console as the e2e tests run it: one production build (`next build`) into its own
 * directory, then `next start` processes on free ports against given stores — by the launchers
 * `npm start` uses (scripts/launch/).
 */
import { buildConsole as build, consoleBuildState } from "../../../scripts/launch/console-build";
import { freePort, launchConsole, type LaunchedConsole } from "../../../scripts/launch/console";

/**
 * Its own build directory (next.config.js reads FACTLINE_CONSOLE_DIST_DIR), so a test run never
 * replaces the `.next` that a developer's `npm start` serves from.
 */
export const E2E_DIST_DIR = ".next-e2e";
/** A cold `next build` on a two-core CI machine. */
const BUILD_TIMEOUT_MS = 240_000;

export type RunningConsole = LaunchedConsole;

/** `next build`, quiet unless it fails. FACTLINE_E2E_REUSE_BUILD=1 keeps an existing build (local iteration). */
export async function buildConsole(): Promise<void> {
  if (process.env.FACTLINE_E2E_REUSE_BUILD === "1" && consoleBuildState(E2E_DIST_DIR).state !== "missing") return;
  await build({ distDir: E2E_DIST_DIR, timeoutMs: BUILD_TIMEOUT_MS }).done;
}

/** `env` adds to the console's environment, e.g. FACTLINE_CONSOLE_AUTH and the session settings. */
export async function startConsole(storeUrl: string, env?: Record<string, string>): Promise<RunningConsole> {
  return launchConsole({ distDir: E2E_DIST_DIR, storeUrl, host: "127.0.0.1", port: await freePort(), env });
}
