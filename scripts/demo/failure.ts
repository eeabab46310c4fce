// How `npm run demo` ends when something goes wrong: one line on stderr and the exit codes the
// CLI uses too (README "Exit codes"), so scripts can tell a typo from a store that is down.
import { Code, ConnectError } from "@connectrpc/connect";
import { networkFailure, oneLine, statusSummary, tlsFailure } from "../../factcast/errors";

export const EXIT = { ok: 0, usage: 1, rejected: 2, unreachable: 3, interrupted: 130 } as const;

/** A failure whose message is meant for the user, with the exit code it ends the demo with. */
export class DemoError extends Error {
  override name = "DemoError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new DemoError(message, EXIT.usage);

/**
 * Any failure of a store call as one line: network trouble → 3, a status the store chose → 2.
 * A handshake refused with any other status means the address is no FactCast store (3).
 */
export function storeFailure(err: unknown, url: string, during?: "handshake"): DemoError {
  if (err instanceof DemoError) return err;
  const e = ConnectError.from(err);
  const tls = tlsFailure(e, url, { firstCall: during === "handshake" });
  if (tls) return new DemoError(tls, EXIT.unreachable);
  if (during === "handshake" && ![Code.Unavailable, Code.DeadlineExceeded, Code.Unauthenticated].includes(e.code)) {
    return new DemoError(
      `${url} does not answer as a FactCast store (${statusSummary(e)}); use --store or FACTLINE_STORE_URL`,
      EXIT.unreachable,
    );
  }
  const network = networkFailure(e);
  if (network) {
    return new DemoError(
      `cannot reach the store at ${url} (${network}); is it running? use --store or FACTLINE_STORE_URL`,
      EXIT.unreachable,
    );
  }
  switch (e.code) {
    case Code.Unavailable:
    case Code.Canceled:
      return new DemoError(`the store at ${url} is unavailable: ${oneLine(e.rawMessage)}`, EXIT.unreachable);
    case Code.DeadlineExceeded:
      return new DemoError(`the store at ${url} did not answer in time; is it a FactCast store?`, EXIT.unreachable);
    case Code.Unauthenticated:
      return new DemoError(
        `the store at ${url} wants credentials: set FACTLINE_STORE_USER and FACTLINE_STORE_PASSWORD`,
        EXIT.rejected,
      );
    default:
      return new DemoError(`the store rejected the request: ${statusSummary(e)}`, EXIT.rejected);
  }
}
