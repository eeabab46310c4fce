/**
 * `npm start`: the store and the console together, stopped together by Ctrl-C or SIGTERM.
 * The console is served from a production build (`next start`), (re)built first when none exists,
 * when it is older than its sources, or when it was made from another commit.
 */
import { checkConsoleSettings } from "../lib/backend/auth/startup";
import { buildConsole, buildReason, consoleBuildState, type Build } from "./launch/console-build";
import { DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, launchConsole, type LaunchedConsole } from "./launch/console";
import { launchStore, type LaunchedStore } from "./launch/store";

// README "The two commands" promises a full stop within 10 s; the store needs most of that for its own.
const STOP_GRACE_MS = 9_000;

const abort = new AbortController();
const launches: Promise<unknown>[] = [];
let store: LaunchedStore | undefined;
let console_: LaunchedConsole | undefined;
let build: Build | undefined;
let stopping: Promise<never> | undefined;

function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    abort.abort(); // a store or console still starting stops as well
    build?.child.kill("SIGTERM");
    await Promise.allSettled([...launches, store?.stop(STOP_GRACE_MS), console_?.stop(STOP_GRACE_MS)]);
    process.exit(code);
  })();
  return stopping;
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

/** Once both run, either one ending on its own ends the other. */
function stopWith(name: string, exited: Promise<{ code: number | null }>): void {
  void exited.then(({ code }) => {
    if (stopping) return;
    console.error(`factline: the ${name} exited (code ${code}); stopping`);
    void stop(code || 1);
  });
}

async function main(): Promise<void> {
  // Before the store starts: FACTLINE_CONSOLE_AUTH=none on HOST=0.0.0.0 and the like. (Whether the
  // default means none is known only once the store answers: launchConsole checks that.)
  checkConsoleSettings(process.env);
  // A first start builds the console while the store starts: both take seconds, the README 60.
  const state = consoleBuildState();
  if (state.state !== "fresh") {
    console.log(buildReason(state));
    build = buildConsole({ echo: true });
  }
  // Infinity: the first start initialises the embedded PostgreSQL, however long the machine takes.
  const storeStart = launchStore({ echo: true, readyTimeoutMs: Infinity, signal: abort.signal });
  launches.push(storeStart);
  store = await storeStart;
  stopWith("store", store.exited);

  await build?.done;
  build = undefined;
  const consoleStart = launchConsole({
    host: process.env.HOST || DEFAULT_CONSOLE_HOST,
    port: process.env.PORT || DEFAULT_CONSOLE_PORT,
    storeUrl: store.url,
    echo: true,
    readyTimeoutMs: Infinity,
    signal: abort.signal,
  });
  launches.push(consoleStart);
  console_ = await consoleStart;
  stopWith("console", console_.exited);
  console.log(`factline: console at ${console_.url} (store ${store.url}). Ctrl-C stops both.`);
}

main().catch((err: Error) => {
  if (stopping) return; // stopped while starting: not a failure
  console.error(`factline: ${err.message}`);
  void stop(1);
});
