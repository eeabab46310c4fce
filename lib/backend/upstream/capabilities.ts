// Does the upstream speak factline's admin services, or is it a plain FactCast server? Everything
// the console can do either way; this module decides which way, once per TTL, not per request.
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { FactQueryService } from "../../../gen/factline/admin/v1/admin_pb";

/**
 * How long a probed answer holds. Short, because an operator may restart the store with
 * FACTLINE_ADMIN_SERVICES switched the other way and the console should follow within a refresh
 * or two; long enough that a busy page does not probe on every request.
 */
export const CAPABILITY_TTL_MS = 30_000;
/** A probe is one tiny query; a store that needs longer is reported as unreachable instead. */
const PROBE_TIMEOUT_MS = 5_000;

/** What has been learned about one store, shared by every user's view of it. */
interface Learned {
  known: { admin: boolean; at: number } | undefined;
  probing: Promise<boolean> | undefined;
}

/**
 * The cached answer to "are factline's admin services there?" for one store. Whether a store has
 * them says nothing about any user, so the answer is shared: each signed-in user's upstream probes
 * with that user's own credentials (a store with an access file answers nobody else) through
 * `probingWith`, into the same cache.
 */
export class Capabilities {
  constructor(
    private readonly factQuery: Client<typeof FactQueryService>,
    private readonly now: () => number = Date.now,
    private readonly learned: Learned = { known: undefined, probing: undefined },
  ) {}

  /** The same cache, probing as another caller (a signed-in user). */
  probingWith(factQuery: Client<typeof FactQueryService>): Capabilities {
    return new Capabilities(factQuery, this.now, this.learned);
  }

  /** true when the admin services answer; rejects (uncached) when the store cannot be reached. */
  async adminAvailable(): Promise<boolean> {
    const { known } = this.learned;
    if (known && this.now() - known.at < CAPABILITY_TTL_MS) return known.admin;
    // Concurrent requests share one probe rather than each asking the store.
    this.learned.probing ??= this.probe().finally(() => (this.learned.probing = undefined));
    return this.learned.probing;
  }

  /** An admin call answered UNIMPLEMENTED: the store changed under us; use the fallback until the TTL. */
  noteAdminMissing(): void {
    this.learned.known = { admin: false, at: this.now() };
  }

  /** Something failed: ask again next time instead of trusting a possibly stale answer. */
  forget(): void {
    this.learned.known = undefined;
  }

  private async probe(): Promise<boolean> {
    try {
      // The cheapest admin call there is: one fact, a one-byte payload preview.
      await this.factQuery.queryFacts({ limit: 1, payloadPreviewBytes: 1 }, { timeoutMs: PROBE_TIMEOUT_MS });
      this.learned.known = { admin: true, at: this.now() };
      return true;
    } catch (err) {
      // The service is there, it only refused this caller something: that answers the question.
      if (err instanceof ConnectError && err.code === Code.PermissionDenied) {
        this.learned.known = { admin: true, at: this.now() };
        return true;
      }
      if (isUnimplemented(err)) {
        this.noteAdminMissing();
        return false;
      }
      this.forget();
      throw err;
    }
  }
}

const STORE_TROUBLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Internal]);

/** UNIMPLEMENTED: the service or method does not exist upstream (gRPC maps HTTP 404 to it too). */
export function isUnimplemented(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unimplemented;
}

/**
 * Runs `viaAdmin` when the upstream has factline's admin services, otherwise `fallback` (FactCast
 * calls only). An admin call that turns out UNIMPLEMENTED switches to the fallback on the spot.
 */
export async function withAdmin<T>(
  capabilities: Capabilities,
  viaAdmin: () => Promise<T>,
  fallback: () => Promise<T>,
): Promise<T> {
  if (!(await capabilities.adminAvailable())) return fallback();
  try {
    return await viaAdmin();
  } catch (err) {
    if (!isUnimplemented(err)) {
      // The store may have gone away or been replaced; a user's own mistake (INVALID_ARGUMENT …) says nothing.
      if (err instanceof ConnectError && STORE_TROUBLE.has(err.code)) capabilities.forget();
      throw err;
    }
    capabilities.noteAdminMissing();
    return fallback();
  }
}
