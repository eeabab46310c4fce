/** What the store and console launchers (scripts/launch/) share about child processes. */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** true when SIGTERM did not end the process in time and it was killed. */
  forced: boolean;
}

/** A chatty child must not exhaust its launcher's memory: only this much of its output is kept. */
const KEPT_OUTPUT_CHARS = 200_000;

/** The last KEPT_OUTPUT_CHARS of a child's output, for failure messages. */
export function keptOutput(): { add(chunk: string): void; text(): string } {
  let kept = "";
  return {
    add: (chunk) => void (kept = (kept + chunk).slice(-KEPT_OUTPUT_CHARS)),
    text: () => kept,
  };
}

/** SIGTERM, and SIGKILL if the child is still there after `timeoutMs`. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  timeoutMs: number,
): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
  const result = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (result !== "late") return result;
  child.kill("SIGKILL");
  return { ...(await exited), forced: true };
}

/** The URL a client uses for a server that said it listens on host:port (wildcards → loopback). */
export function urlFor(host: string, port: string | number, tls = false): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `${tls ? "https" : "http"}://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** A port free right now on 127.0.0.1 (the OS picks it), for a server that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
