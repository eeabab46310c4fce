// Reading a password without showing it: on a terminal it is typed twice with echo off; otherwise
// (a pipe, a script) it is the first line of stdin. Never a command-line argument, which `ps` shows.
import { CliError, ExitCode, usageError } from "../errors";

export async function readPassword(prompt: string, signal: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return firstLine(stdin);
  const first = await typed(prompt, signal);
  const second = await typed("again: ", signal);
  if (first !== second) throw usageError("the two passwords differ; nothing was written");
  return first;
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  const line = text.split(/\r?\n/)[0];
  if (line === "") throw usageError("no password on stdin: give it as the first line");
  return line;
}

/** One line typed with echo off; Ctrl-C interrupts, Backspace deletes. */
function typed(prompt: string, signal: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise<string>((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      signal.removeEventListener("abort", onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else if (value === "") reject(usageError("the password is empty; nothing was written"));
      else resolve(value);
    };
    const onAbort = () => finish(new CliError("interrupted: nothing was written", ExitCode.interrupted));
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\u0003") return onAbort();
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    signal.addEventListener("abort", onAbort);
    stdin.on("data", onData);
  });
}
