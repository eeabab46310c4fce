/**
 * Whether a console build still matches its sources, and `next build` writing a stamp that lets
 * the next start tell. Used by `npm start`, `npm run console`, the benchmarks and the browser tests,
 * so a user who pulls a new version or edits a page never keeps getting the old console.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./store";

const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/** next.config.js builds into FACTLINE_CONSOLE_DIST_DIR, else here. */
export const DEFAULT_DIST_DIR = ".next";
/** Written into the dist dir after a successful build: what the build was made from. */
const STAMP_FILE = "factline-build.json";

/**
 * What the console is built from. Not tsconfig.json: `next build` rewrites it (its `include` gains
 * the dist dir's types), which would make every build look stale at once. Tests (*.spec.ts) are
 * never part of the bundle.
 */
export const CONSOLE_SOURCES = [
  "app",
  "components",
  "lib",
  "factcast",
  "gen",
  "public",
  "proxy.ts",
  "next.config.js",
  "postcss.config.mjs",
  "package.json",
  "package-lock.json",
];

export interface BuildStamp {
  /** `git rev-parse HEAD` when built; null outside a git checkout. */
  commit: string | null;
  /** The newest mtime among CONSOLE_SOURCES just before the build began. */
  sourcesMtimeMs: number;
}

export type BuildState =
  { state: "fresh" } | { state: "missing" } | { state: "stale"; reason: "sources" | "commit"; builtFrom?: string };

export interface BuildFacts {
  /** mtime of the dist dir's BUILD_ID, undefined when there is no build. */
  buildIdMtimeMs?: number;
  stamp?: BuildStamp;
  commit: string | null;
  newestSourceMtimeMs: number;
}

/**
 * The decision alone: a build is stale when it was made from another commit, or when a source is
 * newer than what the build saw (the stamp's record, or for a build without a stamp its BUILD_ID).
 */
export function judgeBuild(facts: BuildFacts): BuildState {
  if (facts.buildIdMtimeMs === undefined) return { state: "missing" };
  const { stamp } = facts;
  if (stamp?.commit && facts.commit && stamp.commit !== facts.commit) {
    return { state: "stale", reason: "commit", builtFrom: stamp.commit };
  }
  const seen = stamp?.sourcesMtimeMs ?? facts.buildIdMtimeMs;
  return facts.newestSourceMtimeMs > seen ? { state: "stale", reason: "sources" } : { state: "fresh" };
}

/** The state of the build in `distDir` (relative to the repository). */
export function consoleBuildState(distDir = distDirOf()): BuildState {
  const buildId = path.join(repoRoot, distDir, "BUILD_ID");
  return judgeBuild({
    buildIdMtimeMs: existsSync(buildId) ? statSync(buildId).mtimeMs : undefined,
    stamp: readStamp(distDir),
    commit: currentCommit(),
    newestSourceMtimeMs: newestSourceMtime(),
  });
}

/** The one line a launcher prints before it builds. */
export function buildReason(state: BuildState): string {
  switch (state.state) {
    case "missing":
      return "factline: building the console (first start only; `next build`)…";
    case "stale":
      return state.reason === "commit"
        ? `factline: the console build was made from another commit (${state.builtFrom?.slice(0, 12)}); rebuilding…`
        : "factline: the console build is older than its sources; rebuilding…";
    case "fresh":
      return "factline: rebuilding the console (`next build`)…";
  }
}

export function distDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.FACTLINE_CONSOLE_DIST_DIR || DEFAULT_DIST_DIR;
}

/** The environment every Next.js child gets: offline, no telemetry, production, the dist dir. */
export function consoleEnv(distDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    FACTLINE_CONSOLE_DIST_DIR: distDir,
    ...extra,
  };
}

export interface BuildOptions {
  distDir?: string;
  /** Show `next build`'s output as it comes (npm start); otherwise it is kept for the error. */
  echo?: boolean;
  /** Give up (and kill the build) after this long; default: wait. */
  timeoutMs?: number;
}

export interface Build {
  child: ChildProcess;
  /** Resolves when the build succeeded and is stamped; rejects with its output otherwise. */
  done: Promise<void>;
}

/** Bounds the output kept for a failed quiet build's error message. */
const KEPT_BUILD_OUTPUT_CHARS = 100_000;

/** Runs `next build` into the dist dir and stamps the result. */
export function buildConsole(options: BuildOptions = {}): Build {
  const distDir = options.distDir ?? distDirOf();
  // Taken before the build: an edit made while it runs makes the next start rebuild again.
  const stamp: BuildStamp = { commit: currentCommit(), sourcesMtimeMs: newestSourceMtime() };
  const child = spawn(process.execPath, [nextBin, "build", repoRoot], {
    cwd: repoRoot,
    env: consoleEnv(distDir),
    stdio: ["ignore", options.echo ? "inherit" : "pipe", options.echo ? "inherit" : "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-KEPT_BUILD_OUTPUT_CHARS));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const done = new Promise<void>((resolve, reject) => {
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`next build did not finish within ${options.timeoutMs} ms:\n${output}`));
          }, options.timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const seeAbove = options.echo ? "see the output above" : `its output:\n${output}`;
        reject(new Error(`building the console failed (${signal ?? `exit code ${code}`}); ${seeAbove}`));
        return;
      }
      writeFileSync(path.join(repoRoot, distDir, STAMP_FILE), JSON.stringify(stamp) + "\n");
      resolve();
    });
  });
  return { child, done };
}

function readStamp(distDir: string): BuildStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(path.join(repoRoot, distDir, STAMP_FILE), "utf8")) as Partial<BuildStamp>;
    return typeof stamp.sourcesMtimeMs === "number"
      ? { commit: typeof stamp.commit === "string" ? stamp.commit : null, sourcesMtimeMs: stamp.sourcesMtimeMs }
      : undefined;
  } catch {
    return undefined; // none, or unreadable: judged by BUILD_ID's age instead
  }
}

/** HEAD's commit, or null when this is no git checkout (an unpacked release) or git is missing. */
function currentCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

function newestSourceMtime(): number {
  return Math.max(0, ...CONSOLE_SOURCES.map((source) => newestMtime(path.join(repoRoot, source))));
}

function newestMtime(file: string): number {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return /\.spec\.tsx?$/.test(file) ? 0 : stat.mtimeMs;
  // A directory's own mtime moves when a file in it is deleted or renamed: that changes the build too.
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)));
  return newest;
}
