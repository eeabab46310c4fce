/**
 * The console for the browser scenario: a production build in its own directory (so a bench run
 * never replaces the `.next` a developer's `npm start` serves), then `next start` on a free port
 * against the seeded store.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { buildConsoleInto, startConsoleFrom, type RunningConsole } from "../../scripts/next-console";
import { repoRoot } from "./store";

export type { RunningConsole };
/** next.config.js reads FACTLINE_CONSOLE_DIST_DIR; git-ignored. */
export const BENCH_DIST_DIR = ".next-bench";
/** A cold `next build` on a busy two-core machine. */
const BUILD_TIMEOUT_MS = 600_000;
/** Where the console's code lives: a build older than any of it is stale. */
const SOURCE_DIRS = ["app", "components", "lib"];

/** Why the console cannot be measured yet, or undefined when it has a page for "/". */
export function consoleMissing(): string | undefined {
  const app = path.join(repoRoot, "app");
  if (!existsSync(app)) return "no console yet (app/ is missing)";
  const groups = readdirSync(app).filter((d) => /^\(.+\)$/.test(d));
  const home = ["page.tsx", ...groups.map((g) => path.join(g, "page.tsx"))].some((p) => existsSync(path.join(app, p)));
  return home ? undefined : "no console overview page yet (app/page.tsx)";
}

/**
 * "missing", "stale" (older than the sources) or "fresh". FACTLINE_BENCH_REUSE_CONSOLE_BUILD=1 takes
 * any existing build as fresh: for iterating on the harness while others edit the console.
 */
export function buildState(): "missing" | "stale" | "fresh" {
  const id = path.join(repoRoot, BENCH_DIST_DIR, "BUILD_ID");
  if (!existsSync(id)) return "missing";
  if (process.env.FACTLINE_BENCH_REUSE_CONSOLE_BUILD === "1") return "fresh";
  const built = statSync(id).mtimeMs;
  return SOURCE_DIRS.some((d) => newestMtime(path.join(repoRoot, d)) > built) ? "stale" : "fresh";
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function buildConsole(): Promise<void> {
  return buildConsoleInto(BENCH_DIST_DIR, BUILD_TIMEOUT_MS);
}

export function startConsole(storeUrl: string): Promise<RunningConsole> {
  return startConsoleFrom(BENCH_DIST_DIR, storeUrl);
}
