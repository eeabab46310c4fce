/**
 * `npm run console`: the console alone, against FACTLINE_STORE_URL, on HOST:PORT (default
 * 127.0.0.1:3000). Builds first when there is no production build; `--rebuild` forces one.
 * Ctrl-C / SIGTERM stop it.
 */
import { spawn } from "node:child_process";
import {
  DEFAULT_CONSOLE_HOST,
  DEFAULT_CONSOLE_PORT,
  buildConsole,
  consoleBuilt,
  consoleEnv,
  consoleStartArgs,
  root,
  type Build,
} from "./console-process";

const host = process.env.HOST || DEFAULT_CONSOLE_HOST;
const port = process.env.PORT || DEFAULT_CONSOLE_PORT;
let build: Build | undefined;
let server: ReturnType<typeof spawn> | undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    build?.child.kill("SIGTERM");
    if (server && server.exitCode === null) server.kill("SIGTERM");
    else process.exit(0);
  });
}

async function main(): Promise<void> {
  if (process.argv.includes("--rebuild") || !consoleBuilt()) {
    build = buildConsole();
    await build.done;
    build = undefined;
  }
  const storeUrl = process.env.FACTLINE_STORE_URL || "http://127.0.0.1:9090";
  console.log(`factline: console on http://${host}:${port}, store ${storeUrl}`);
  server = spawn(process.execPath, consoleStartArgs(host, port), {
    cwd: root,
    env: consoleEnv(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  server.once("exit", (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
}

main().catch((err: Error) => {
  console.error(`factline: ${err.message}`);
  process.exit(1);
});
