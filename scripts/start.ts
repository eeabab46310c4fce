/**
 * `npm start`: the store and the console together, stopped together by Ctrl-C or SIGTERM.
 * The console is served from a production build (`next start`), built first when none exists.
 */
import { fileURLToPath } from "node:url";
import {
  CONSOLE_READY_LINE,
  DEFAULT_CONSOLE_HOST,
  DEFAULT_CONSOLE_PORT,
  buildConsole,
  consoleBuilt,
  consoleEnv,
  consoleStartArgs,
  urlFor,
  type Build,
} from "./console-process";
import { startService, stopServices, type Service } from "./processes";
import { STORE_NODE_FLAGS } from "../store/node-flags";

const root = fileURLToPath(new URL("..", import.meta.url));
// The contract allows 10 s for a full stop; the store needs most of that for its own clean stop.
const STOP_GRACE_MS = 9_000;

const services: Service[] = [];
let stopping = false;
let build: Build | undefined;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    build?.child.kill("SIGTERM");
    await stopServices(services, STOP_GRACE_MS);
  }
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function main(): Promise<void> {
  // A first start builds the console while the store starts: both take seconds, the contract 60.
  build = consoleBuilt() ? undefined : buildConsole();
  const store = startService(
    "store",
    process.execPath,
    [...STORE_NODE_FLAGS, "--import", "tsx", `${root}store/main.ts`],
    /^factline store listening on /,
  );
  services.push(store);
  void store.exited.then((code) => {
    if (!stopping) {
      console.error(`factline: the store exited (code ${code}); stopping`);
      void stop(code || 1);
    }
  });
  const storeLine = await store.ready;

  // The console: the production build, against the store just started.
  await build?.done;
  build = undefined;
  const [, storeHost = "127.0.0.1", storePort = "9090"] = /listening on (\S+):(\d+)/.exec(storeLine) ?? [];
  const storeUrl = urlFor(storeHost, storePort);
  const host = process.env.HOST || DEFAULT_CONSOLE_HOST;
  const port = process.env.PORT || DEFAULT_CONSOLE_PORT;
  const console_ = startService(
    "console",
    process.execPath,
    consoleStartArgs(host, port),
    CONSOLE_READY_LINE,
    consoleEnv({ FACTLINE_STORE_URL: storeUrl }),
  );
  services.push(console_);
  void console_.exited.then((code) => {
    if (!stopping) {
      console.error(`factline: the console exited (code ${code}); stopping`);
      void stop(code || 1);
    }
  });
  const consoleUrl = CONSOLE_READY_LINE.exec(await console_.ready)?.[1] ?? `http://${host}:${port}`;
  console.log(`factline: console at ${consoleUrl} (store ${storeUrl}). Ctrl-C stops both.`);
}

main().catch((err: Error) => {
  console.error(`factline: ${err.message}`);
  void stop(1);
});
