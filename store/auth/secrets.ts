// FACTLINE_SECRETS_FILE: FactCast's secrets as Java properties, one
// `factcast.access.secrets.<account>=<secret>` per account. FactCast compares plaintext; factline
// also takes Spring's prefixed hashes, so the file need not hold a usable password:
//   secret, {noop}secret    plaintext
//   {bcrypt}$2b$12$…        bcrypt (the `bcrypt` package: native, prebuilt, off the event loop)
//   {argon2}$argon2id$…     Argon2 (the `argon2` package: native, prebuilt, off the event loop)
import { createHash, timingSafeEqual } from "node:crypto";
import { Properties } from "properties-file/parser";
import { SECRET_PREFIX } from "../../factcast/secrets";

export type StoredSecret =
  { kind: "plain"; digest: Buffer } | { kind: "bcrypt"; hash: string } | { kind: "argon2"; hash: string };

export interface SecretsFile {
  readonly secrets: ReadonlyMap<string, StoredSecret>;
  readonly warnings: readonly string[];
}

export class SecretsFileError extends Error {
  override name = "SecretsFileError";
}

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
// PHC string format; parameter order differs between writers (m,t,p or m,p,t).
const ARGON2_HASH = /^\$argon2(id|i|d)\$(v=\d+\$)?[a-z]=\d+(,[a-z]=\d+)*\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Parses a secrets file's text; `file` only names it in messages. */
export function parseSecretsFile(text: string, file: string): SecretsFile {
  const secrets = new Map<string, StoredSecret>();
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  for (const node of new Properties(text).getProperties()) {
    const at = `${file} line ${node.startingLineNumber}`;
    if (!node.key.startsWith(SECRET_PREFIX)) {
      warnings.push(`${at}: ${node.key} is not a secret (${SECRET_PREFIX}<account>=<secret>), ignored`);
      continue;
    }
    const account = node.key.slice(SECRET_PREFIX.length);
    if (account === "") throw new SecretsFileError(`${at}: the key needs an account after ${SECRET_PREFIX}`);
    const earlier = seen.get(account);
    if (earlier !== undefined) {
      throw new SecretsFileError(`${at}: a secret for "${account}" is already given on line ${earlier}; keep one`);
    }
    seen.set(account, node.startingLineNumber);
    secrets.set(account, storedSecret(node.value, `${at} (${account})`));
  }
  return { secrets, warnings };
}

/** One secret as written in the file: plaintext or a prefixed hash, checked for shape at start. */
export function storedSecret(value: string, at: string): StoredSecret {
  if (value === "" || value === "{noop}") throw new SecretsFileError(`${at}: the secret is empty`);
  const prefixed = /^\{([^}]*)\}(.*)$/s.exec(value);
  if (!prefixed) return { kind: "plain", digest: digest(value) };
  const [, id, rest] = prefixed;
  switch (id) {
    case "noop":
      return { kind: "plain", digest: digest(rest) };
    case "bcrypt":
      if (!BCRYPT_HASH.test(rest)) {
        throw new SecretsFileError(`${at}: {bcrypt} must be followed by a bcrypt hash ($2b$<cost>$…, 60 characters)`);
      }
      return { kind: "bcrypt", hash: rest };
    case "argon2":
      if (!ARGON2_HASH.test(rest)) {
        throw new SecretsFileError(
          `${at}: {argon2} must be followed by an Argon2 hash ($argon2id$v=19$m=…,t=…,p=…$…$…)`,
        );
      }
      return { kind: "argon2", hash: rest };
    default:
      throw new SecretsFileError(
        `${at}: unknown encoding {${id}}; use {noop}, {bcrypt} or {argon2} ` +
          `(a plaintext secret that starts with "{" is written {noop}{…})`,
      );
  }
}

/**
 * Whether `password` matches. Plaintext is compared in constant time on digests; hashes are
 * verified by their native libraries on libuv's thread pool, never on the event loop.
 */
export async function verifySecret(secret: StoredSecret, password: string): Promise<boolean> {
  switch (secret.kind) {
    case "plain":
      return timingSafeEqual(secret.digest, digest(password));
    case "bcrypt": {
      const bcrypt = await import("bcrypt");
      return bcrypt.compare(password, secret.hash);
    }
    case "argon2": {
      const argon2 = await import("argon2");
      return argon2.verify(secret.hash, password);
    }
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
