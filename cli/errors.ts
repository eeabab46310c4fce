// The exit codes scripts rely on (README "Exit codes"): one error type carries the code to main.ts,
// so a command never calls process.exit itself and cleanup always runs.

export const ExitCode = {
  ok: 0,
  /** Bad flags, arguments or input: the user can fix the command line or the file. */
  usage: 1,
  /** The store answered and said no (invalid fact, duplicate id, not found, permission …). */
  rejected: 2,
  /** No usable answer from the store: not running, wrong address, not a FactCast server, connection lost. */
  unreachable: 3,
  /** Interrupted (Ctrl-C) where stopping early leaves the job unfinished, as shells report 128+SIGINT. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose message is meant for the user, one line, and whose exit code scripts can test. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.usage);
export const rejectedError = (message: string) => new CliError(message, ExitCode.rejected);
export const unreachableError = (message: string) => new CliError(message, ExitCode.unreachable);
