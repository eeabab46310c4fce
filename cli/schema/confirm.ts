// A yes/no question on the terminal before a change to the registry. Only asked where a person
// can answer: a script has no terminal and must say --yes, so it never hangs waiting for input.
import { createInterface } from "node:readline";
import { CliError, ExitCode } from "../errors";

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

const processTerminal = (): Terminal => ({ input: process.stdin, output: process.stderr });

/** Both ends must be a terminal: the question goes to stderr, the answer comes from stdin. */
export function canAsk(terminal: Terminal = processTerminal()): boolean {
  return Boolean(terminal.input.isTTY && terminal.output.isTTY);
}

/**
 * Asks `question` and resolves true only for "y" or "yes" (any case); Enter or Ctrl-D mean no.
 * Ctrl-C arrives as a keystroke while readline owns the terminal, not as a signal, so it is
 * handled here: an interruption, like Ctrl-C anywhere else in the CLI.
 */
export function confirm(question: string, terminal: Terminal = processTerminal()): Promise<boolean> {
  const rl = createInterface({
    input: terminal.input,
    output: terminal.output,
    terminal: Boolean(terminal.input.isTTY),
  });
  return new Promise<boolean>((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => {
      answered = true;
      terminal.output.write("\n");
      rl.close();
      reject(new CliError("interrupted: nothing was changed", ExitCode.interrupted));
    });
    rl.on("close", () => {
      if (answered) return;
      terminal.output.write("\n"); // Ctrl-D: end the prompt's line before the next message
      resolve(false);
    });
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}
