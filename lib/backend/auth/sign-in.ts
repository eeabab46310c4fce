// FACTLINE_CONSOLE_AUTH=store: a user name and password are checked by the store itself. A factline
// store answers its SignIn RPC (and records the sign-in, or the failed one, in its audit trail); a
// plain FactCast server has no such RPC, so a handshake with the credentials checks them, and
// FactCast's own ACLs then apply to every call they make.
import { Code, ConnectError } from "@connectrpc/connect";
import { storeMessage } from "../../../factcast/errors";
import { unreachableReason } from "../upstream/errors";
import type { Upstream } from "../upstream/upstream";

/** Longer than any account name in an access file; bounds what is sent and counted. */
export const MAX_USER_LENGTH = 256;
/** Generous for a passphrase; a megabyte "password" is an attempt to make the store hash it. */
export const MAX_PASSWORD_LENGTH = 1024;
/** A sign-in the store has not answered by then is reported as such. */
const SIGN_IN_TIMEOUT_MS = 10_000;

/** The same words for an unknown account and a wrong password: the answer must not tell them apart. */
export const WRONG_CREDENTIALS = "Wrong user name or password.";

export type CredentialCheck =
  | { ok: true; account: string }
  /** `counts`: a failure of the user's (counted by the limiter), not of the store or the setup. */
  | { ok: false; message: string; counts: boolean };

/** What is wrong with the form's input before anything is sent; undefined when it may be checked. */
export function checkInput(user: string, password: string): string | undefined {
  if (user.trim() === "") return "Enter your user name.";
  if (password === "") return "Enter your password.";
  if (user.length > MAX_USER_LENGTH) return `A user name has at most ${MAX_USER_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `A password has at most ${MAX_PASSWORD_LENGTH} characters.`;
  // HTTP Basic ends the user name at the first colon, and headers cannot carry control characters.
  if (/[:\u0000-\u001f\u007f]/.test(user)) return "A user name cannot contain a colon or control characters.";
  if (/[\u0000-\u001f\u007f]/.test(password)) return "A password cannot contain control characters.";
  return undefined;
}

/** Asks the store whether `user`/`password` is one of its accounts, as that account, from `address`. */
export async function checkStoreCredentials(
  shared: Upstream,
  user: string,
  password: string,
  address: string,
): Promise<CredentialCheck> {
  const as = shared.withCredentials({ user, password }, { "x-forwarded-for": address });
  const call = { timeoutMs: SIGN_IN_TIMEOUT_MS };
  try {
    const { access } = await as.access.signIn({}, call);
    if (access?.via === "open") return openStore(shared.url);
    return { ok: true, account: access?.account || user };
  } catch (err) {
    if (!(err instanceof ConnectError && err.code === Code.Unimplemented)) return failure(shared.url, err);
  }
  // A plain FactCast server (or factline with its admin services off): its handshake checks the credentials.
  try {
    await as.facts.handshake({}, call);
  } catch (err) {
    return failure(shared.url, err);
  }
  try {
    // An open FactCast server accepts any credentials; it would accept none as well.
    await shared.withCredentials(undefined).facts.handshake({}, call);
    return openStore(shared.url);
  } catch {
    return { ok: true, account: user };
  }
}

function openStore(url: string): CredentialCheck {
  return {
    ok: false,
    counts: false,
    message:
      `The store at ${url} runs without an access file, so it cannot check passwords and nobody can sign in. ` +
      `Give the store an access file (FACTLINE_ACCESS_FILE), or run the console with FACTLINE_CONSOLE_AUTH=none on a loopback address.`,
  };
}

function failure(url: string, err: unknown): CredentialCheck {
  if (err instanceof ConnectError && err.code === Code.Unauthenticated) {
    return { ok: false, counts: true, message: WRONG_CREDENTIALS };
  }
  const reason = unreachableReason(url, err);
  const why = reason ?? (err instanceof ConnectError ? storeMessage(err) : String(err));
  return { ok: false, counts: false, message: `The store could not check your sign-in (${why}). Try again shortly.` };
}
