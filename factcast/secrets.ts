// FactCast's secrets properties (`factcast.access.secrets.<account>=<secret>`) and factline's
// hashed secrets in them, with Spring's prefixes: `{bcrypt}…`, `{argon2}…`. One place for the
// entry format, shared by the store that verifies them and `factline secret hash` that writes them.
import { escapeKey, escapeValue } from "properties-file/escape";

export const SECRET_PREFIX = "factcast.access.secrets.";

export type HashAlgorithm = "bcrypt" | "argon2";

/** bcrypt reads at most this many bytes of a password; longer ones would be silently cut. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;
// Cost 12: ~250 ms per check on one core; the store remembers verified credentials, so a client
// pays it once per few minutes, not per call.
const BCRYPT_COST = 12;

/** `password` hashed, with its Spring prefix: the value of a secrets-file entry. */
export async function hashSecret(password: string, algorithm: HashAlgorithm): Promise<string> {
  if (algorithm === "bcrypt") {
    if (Buffer.byteLength(password) > BCRYPT_MAX_PASSWORD_BYTES) {
      throw new RangeError(`bcrypt uses only the first ${BCRYPT_MAX_PASSWORD_BYTES} bytes of a password; use argon2`);
    }
    const bcrypt = await import("bcrypt");
    return `{bcrypt}${await bcrypt.hash(password, BCRYPT_COST)}`;
  }
  const argon2 = await import("argon2");
  // The library's defaults (argon2id, 64 MiB, t=3, p=4) follow RFC 9106's second recommendation.
  return `{argon2}${await argon2.hash(password)}`;
}

/** The properties key of an account's secret. */
export function secretKey(account: string): string {
  return `${SECRET_PREFIX}${account}`;
}

/**
 * One whole properties line as java.util.Properties reads it. Hashes are printable ASCII without
 * backslashes and go in as they are (a reader can compare them by eye); anything else is escaped.
 */
export function secretLine(account: string, value: string): string {
  const plain = /^[\x21-\x5b\x5d-\x7e][\x20-\x5b\x5d-\x7e]*$/.test(value);
  return `${escapeKey(secretKey(account))}=${plain ? value : escapeValue(value)}`;
}
