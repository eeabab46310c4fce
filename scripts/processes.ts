import { spawn, type ChildProcess } from "node:child_process";

/** A child process of the launcher, with its readiness line. */
export interface Service {
  name: string;
  child: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/**
 * Starts `command` with the launcher's terminal for output, resolving `ready` with the first stdout
 * line matching `readyLine`. The child's stdout is still shown.
 */
export function startService(
  name: string,
  command: string,
  args: string[],
  readyLine: RegExp,
  env = process.env,
): Service {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ? 128 : code)),
  );
  const ready = new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const match = buffered.split("\n").find((line) => readyLine.test(line));
      if (match) resolve(match);
    });
    child.once("error", reject);
    void exited.then((code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  ready.catch(() => {});
  return { name, child, ready, exited };
}

/** Asks every service to stop (SIGTERM) and waits; anything still running after `graceMs` is killed. */
export async function stopServices(services: Service[], graceMs: number): Promise<void> {
  const running = services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  for (const s of running) s.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const s of running) s.child.kill("SIGKILL");
  }, graceMs);
  await Promise.all(running.map((s) => s.exited));
  clearTimeout(timer);
}
