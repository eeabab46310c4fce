/**
 * `npm run console`: the console alone, against FACTLINE_STORE_URL, on HOST:PORT (default
 * 127.0.0.1:3000). Builds first when there is no production build or it is stale (older than its
 * sources, or from another commit); `--rebuild` forces one. Ctrl-C / SIGTERM stop it.
 */
import { checkCaFile, checkStoreUrl, DEFAULT_STORE_URL, StoreTargetError } from "../factcast/client";
import { checkConsoleSettings } from "../lib/backend/auth/startup";
import { buildConsole, buildReason, consoleBuildState, type Build } from "./launch/console-build";
import { DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, launchConsole, type LaunchedConsole } from "./launch/console";

const abort = new AbortController();
let build: Build | undefined;
let server: LaunchedConsole | undefined;
let stopping = false;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopping = true;
    abort.abort();
    build?.child.kill("SIGTERM");
    void (server?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const storeUrl = storeUrlOf(process.env.FACTLINE_STORE_URL || DEFAULT_STORE_URL);
  if (process.env.FACTLINE_TLS_CA) {
    try {
      checkCaFile(process.env.FACTLINE_TLS_CA, storeUrl);
    } catch (err) {
      throw err instanceof StoreTargetError ? new Error(`FACTLINE_TLS_CA: ${err.message}`) : err;
    }
  }
  // Before a build that may take a minute: FACTLINE_CONSOLE_AUTH=none on HOST=0.0.0.0 and the like.
  checkConsoleSettings(process.env);
  const state = consoleBuildState();
  if (process.argv.includes("--rebuild") || state.state !== "fresh") {
    console.log(buildReason(state));
    build = buildConsole({ echo: true });
    await build.done;
    build = undefined;
  }
  const host = process.env.HOST || DEFAULT_CONSOLE_HOST;
  const port = process.env.PORT || DEFAULT_CONSOLE_PORT;
  console.log(`factline: console on http://${host}:${port}, store ${storeUrl}`);
  server = await launchConsole({ host, port, echo: true, readyTimeoutMs: Infinity, signal: abort.signal });
  const { code, signal } = await server.exited;
  if (!stopping) process.exit(signal ? 0 : (code ?? 1));
}

/** A typo in the store's address is said before anything starts, not on the first page view. */
function storeUrlOf(raw: string): string {
  try {
    return checkStoreUrl(raw);
  } catch (err) {
    throw err instanceof StoreTargetError ? new Error(`FACTLINE_STORE_URL ${err.message}`) : err;
  }
}

main().catch((err: Error) => {
  if (stopping) return;
  console.error(`factline: ${err.message}`);
  process.exit(1);
});
