// HTTP Basic against the secrets file. A hashed secret costs tens of milliseconds of CPU to check,
// and FactCast clients send their credentials with every call: a verified credential is therefore
// remembered for CREDENTIAL_CACHE_MS, keyed by an HMAC of the password under a key made at start
// (the cache never holds a password), and identical checks running at once share one hash.
import { createHmac, randomBytes } from "node:crypto";
import type { AccessConfig } from "./access-file";
import { createPrincipal, type Principal } from "./principal";
import { verifySecret, type StoredSecret } from "./secrets";
import { AuthError } from "./errors";

/** How long a verified Basic credential is trusted without hashing it again (README "Security"). */
export const CREDENTIAL_CACHE_MS = 5 * 60_000;
// Cache entries are ~200 bytes; the bound keeps a flood of distinct credentials from growing memory.
const MAX_CACHED = 10_000;
// A wrong password for a hashed account is remembered briefly, so a client retrying the same wrong
// credential in a loop costs a lookup, not a hash, per call.
const FAILURE_CACHE_MS = 5_000;
// Hashes run on libuv's thread pool (4 threads, shared with zlib and file I/O); at most this many at
// once leaves it room for everything else, and a bounded queue refuses a flood instead of growing.
const MAX_CONCURRENT_HASHES = 2;
const MAX_QUEUED_HASHES = 200;

export class BasicAuthenticator {
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly failed = new Map<string, number>();
  private readonly running = new Map<string, Promise<Principal>>();
  private hashing = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly access: AccessConfig,
    private readonly secrets: ReadonlyMap<string, StoredSecret>,
  ) {}

  /** The principal for `user`:`password`, or an AuthError saying what is wrong. */
  authenticate(user: string, password: string): Principal | Promise<Principal> {
    const rights = this.access.accounts.get(user);
    const secret = this.secrets.get(user);
    if (!rights || !secret) throw AuthError.badCredentials();
    const id = `${user}\u0000${createHmac("sha256", this.key).update(password).digest("base64")}`;
    const now = Date.now();
    const hit = this.verified.get(id);
    if (hit && hit.until > now) return hit.principal;
    if ((this.failed.get(id) ?? 0) > now) throw AuthError.badCredentials();
    const pending = this.running.get(id);
    if (pending) return pending;
    const check = this.check(secret, password).then((ok) => {
      if (!ok) {
        remember(this.failed, id, Date.now() + FAILURE_CACHE_MS);
        throw AuthError.badCredentials();
      }
      const principal = createPrincipal(user, "basic", rights);
      // Plaintext needs no cache (a digest compare), but the principal's per-namespace answers do.
      remember(this.verified, id, { principal, until: Date.now() + CREDENTIAL_CACHE_MS });
      return principal;
    });
    this.running.set(id, check);
    void check.finally(() => this.running.delete(id)).catch(() => {});
    return check;
  }

  private async check(secret: StoredSecret, password: string): Promise<boolean> {
    if (secret.kind === "plain") return verifySecret(secret, password);
    await this.acquire();
    try {
      return await verifySecret(secret, password);
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.hashing < MAX_CONCURRENT_HASHES) {
      this.hashing++;
      return;
    }
    if (this.queue.length >= MAX_QUEUED_HASHES) throw AuthError.busy();
    // The slot is handed over by release(), never counted twice.
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.hashing--;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  // Oldest first: a Map iterates in insertion order, so deleting from the front drops the oldest.
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value!);
  map.delete(key);
  map.set(key, value);
}

/** Splits `authorization: Basic base64(user:password)`; undefined when it is not Basic. */
export function parseBasic(header: string): { user: string; password: string } {
  const encoded = header.slice(6).trim();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || colon < 0) throw AuthError.malformed("Basic");
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
