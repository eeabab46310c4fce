/**
 * The console as the e2e tests run it: one production build (`next build`) into its own
 * directory, then `next start` processes on free ports against given stores.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildConsoleInto, startConsoleFrom, type RunningConsole } from "../../../scripts/next-console";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/**
 * Its own build directory (next.config.js reads FACTLINE_CONSOLE_DIST_DIR), so a test run never
 * replaces the `.next` that a developer's `npm start` serves from.
 */
export const E2E_DIST_DIR = ".next-e2e";
/** A cold `next build` on a two-core CI machine. */
const BUILD_TIMEOUT_MS = 240_000;

export type { RunningConsole };

/** `next build`, quiet unless it fails. FACTLINE_E2E_REUSE_BUILD=1 keeps an existing build (local iteration). */
export async function buildConsole(): Promise<void> {
  if (process.env.FACTLINE_E2E_REUSE_BUILD === "1" && existsSync(path.join(repoRoot, E2E_DIST_DIR, "BUILD_ID"))) return;
  await buildConsoleInto(E2E_DIST_DIR, BUILD_TIMEOUT_MS);
}

export function startConsole(storeUrl: string): Promise<RunningConsole> {
  return startConsoleFrom(E2E_DIST_DIR, storeUrl);
}
