/**
 * The console for the browser scenario: a production build in its own directory (so a bench run
 * never replaces the `.next` a developer's `npm start` serves), then `next start` on a free port
 * against the seeded store, both by the launchers `npm start` uses (scripts/launch/).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { buildConsole as build, consoleBuildState } from "../../scripts/launch/console-build";
import { freePort, launchConsole, type LaunchedConsole } from "../../scripts/launch/console";
import { repoRoot } from "./store";

export type RunningConsole = LaunchedConsole;
/** next.config.js reads FACTLINE_CONSOLE_DIST_DIR; git-ignored. */
export const BENCH_DIST_DIR = ".next-bench";
/** A cold `next build` on a busy two-core machine. */
const BUILD_TIMEOUT_MS = 600_000;

/** Why the console cannot be measured yet, or undefined when it has a page for "/". */
export function consoleMissing(): string | undefined {
  const app = path.join(repoRoot, "app");
  if (!existsSync(app)) return "no console yet (app/ is missing)";
  const groups = readdirSync(app).filter((d) => /^\(.+\)$/.test(d));
  const home = ["page.tsx", ...groups.map((g) => path.join(g, "page.tsx"))].some((p) => existsSync(path.join(app, p)));
  return home ? undefined : "no console overview page yet (app/page.tsx)";
}

/**
 * "missing", "stale" (older than its sources or from another commit) or "fresh", judged as
 * `npm start` judges its build. FACTLINE_BENCH_REUSE_CONSOLE_BUILD=1 takes any existing build as
 * fresh: for iterating on the harness while others edit the console.
 */
export function buildState(): "missing" | "stale" | "fresh" {
  const { state } = consoleBuildState(BENCH_DIST_DIR);
  return state === "stale" && process.env.FACTLINE_BENCH_REUSE_CONSOLE_BUILD === "1" ? "fresh" : state;
}

export function buildConsole(): Promise<void> {
  return build({ distDir: BENCH_DIST_DIR, timeoutMs: BUILD_TIMEOUT_MS }).done;
}

export async function startConsole(storeUrl: string): Promise<RunningConsole> {
  return launchConsole({ distDir: BENCH_DIST_DIR, storeUrl, host: "127.0.0.1", port: await freePort() });
}
