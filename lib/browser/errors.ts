/**
 * Connect errors in words a user can act on. Pages show these instead of stack traces; the raw
 * message stays available as the detail because it often names the exact field or serial.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "../../factcast/errors";

export interface ErrorInWords {
  title: string;
  detail: string;
  code: Code;
}

const TITLES: Partial<Record<Code, string>> = {
  [Code.Unavailable]: "The store is not reachable",
  [Code.NotFound]: "Not found",
  [Code.InvalidArgument]: "The query is not valid",
  [Code.OutOfRange]: "The query is out of range",
  [Code.FailedPrecondition]: "The store cannot answer this query",
  [Code.PermissionDenied]: "The store refused access",
  [Code.Unauthenticated]: "The store wants credentials",
  [Code.Unimplemented]: "The store does not support this",
  [Code.DeadlineExceeded]: "The store took too long to answer",
  [Code.ResourceExhausted]: "The store is overloaded",
  [Code.Internal]: "The console's backend failed",
};

const HINTS: Partial<Record<Code, string>> = {
  [Code.PermissionDenied]:
    "The store decides what each account may do (its access file); ask its operator if you need more.",
  [Code.Unauthenticated]: "Set FACTLINE_STORE_USER and FACTLINE_STORE_PASSWORD where the console runs.",
  [Code.Unavailable]: "The console retries by itself.",
};

export function describeError(error: unknown): ErrorInWords {
  const e = ConnectError.from(error);
  // fetch() itself failing surfaces as Unknown with the browser's own words ("Failed to fetch").
  if (e.code === Code.Unknown && /fetch|network|load failed/i.test(e.rawMessage)) {
    return {
      code: e.code,
      title: "The console's server does not answer",
      detail: "Is `npm start` (or `npm run console`) still running?",
    };
  }
  // The store answers but its PostgreSQL does not (the store marks that; factcast/errors.ts).
  if (isDatabaseUnavailable(e)) {
    return {
      code: e.code,
      title: "The store's database is unavailable",
      detail: `The store answers, but cannot reach PostgreSQL (${e.rawMessage.replace(/^the store's database is unavailable: /, "")}). The console retries by itself; this fills in once the database is back.`,
    };
  }
  const title = TITLES[e.code] ?? "Something went wrong";
  const detail = [e.rawMessage, HINTS[e.code]].filter(Boolean).join(" ");
  return { code: e.code, title, detail };
}

/** The store refused the call because of who made it: the message is the store's reason. */
export function isRefused(error: unknown): boolean {
  return error != null && ConnectError.from(error).code === Code.PermissionDenied;
}

/**
 * A poll interval that stops once the store refused the query: asking again every few seconds
 * would only fill the store's audit log with the same refusal while the page stays open.
 */
export function unlessRefused(ms: number) {
  return (query: { state: { error: unknown } }): number | false => (isRefused(query.state.error) ? false : ms);
}

export function isNotFound(error: unknown): boolean {
  return error != null && ConnectError.from(error).code === Code.NotFound;
}
