/**
 * `npm start`: the store and the console together, stopped together by Ctrl-C or SIGTERM.
 * The console is served from a production build (`next start`), built first when none exists.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startService, stopServices, type Service } from "./processes";

const root = fileURLToPath(new URL("..", import.meta.url));
// The contract allows 10 s for a full stop; the store needs most of that for its own clean stop.
const STOP_GRACE_MS = 9_000;

const services: Service[] = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopServices(services, STOP_GRACE_MS);
  }
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function main(): Promise<void> {
  const store = startService("store", process.execPath, ["--import", "tsx", `${root}server/main.ts`], /^factline store listening on /);
  services.push(store);
  void store.exited.then((code) => {
    if (!stopping) {
      console.error(`factline: the store exited (code ${code}); stopping`);
      void stop(code || 1);
    }
  });
  await store.ready;

  if (!existsSync(`${root}app/page.tsx`)) {
    console.log("factline: console not built yet (it arrives with the console issue); the store runs alone. Ctrl-C stops it.");
    return;
  }
}

main().catch((err: Error) => {
  console.error(`factline: ${err.message}`);
  void stop(1);
});
