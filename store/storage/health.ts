import { EventEmitter } from "node:events";
import pg from "pg";
import { DatabaseUnavailableError } from "../errors";
import { log } from "../log";
import { isConnectionLoss } from "./db-errors";

// While PostgreSQL is unreachable, try a fresh connection this often: recovery is noticed within
// half a second of the server answering again, and an unreachable server costs two refused
// connection attempts per second.
const PROBE_MS = 500;
// The first probe comes sooner: a single connection killed on a healthy server (pg_terminate_backend,
// a proxy dropping one connection) is then over in a tenth of a second.
const FIRST_PROBE_MS = 100;
const PROBE_TIMEOUT_MS = 3_000;
/** How long subscriptions wait for PostgreSQL to come back before ending with UNAVAILABLE. */
export const DEFAULT_OUTAGE_MS = 30_000;

export interface DatabaseStatus {
  reachable: boolean;
  /** When the current outage began (ms since the epoch). */
  downSinceMs?: number;
  /** The error that began it. */
  lastError?: string;
}

/**
 * Whether this store instance can reach PostgreSQL, as all its connections see it. The first loss
 * of an outage is logged with what was lost; the rest are counted, and the recovery is logged with
 * how long it took. Emits "down" (Error) and "up" (outage ms). Work that must outlast an outage
 * (subscriptions, the live tail) waits here for the server to answer again, up to `outageMs`.
 * /health/ready and metrics read `status()`.
 */
export class DatabaseHealth extends EventEmitter {
  private downSince?: number;
  private lastError?: Error;
  private failures = 0;
  private probeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly url: string,
    readonly outageMs = DEFAULT_OUTAGE_MS,
  ) {
    super();
    // Every waiting subscription listens for "up"; there may be thousands.
    this.setMaxListeners(0);
  }

  reachable(): boolean {
    return this.downSince === undefined;
  }

  status(): DatabaseStatus {
    return this.downSince === undefined
      ? { reachable: true }
      : { reachable: false, downSinceMs: this.downSince, lastError: this.lastError?.message };
  }

  /** A connection broke or could not be made while doing `during`. Not every error is a loss. */
  lost(err: Error, during: string): void {
    if (this.stopped || !isConnectionLoss(err)) return;
    if (this.downSince !== undefined) {
      this.failures++;
      return;
    }
    this.downSince = Date.now();
    this.lastError = err;
    this.failures = 1;
    log.warn("lost the connection to PostgreSQL; serving what does not need it and retrying", {
      during,
      error: err.message,
    });
    this.emit("down", err);
    this.scheduleProbe(FIRST_PROBE_MS);
  }

  /** A connection was just established: the server answers. */
  reached(): void {
    if (this.downSince === undefined) return;
    const outage = Date.now() - this.downSince;
    log.info("PostgreSQL is reachable again", { afterMs: outage, failedOperations: this.failures });
    this.downSince = undefined;
    this.lastError = undefined;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.emit("up", outage);
  }

  /**
   * Resolves when PostgreSQL answers (at once when it already does); rejects with
   * DatabaseUnavailableError at `deadline` (ms since the epoch), or with the reason when `signal` aborts.
   */
  async waitUntilReachable(deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.reachable()) return;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off("up", onUp);
        signal?.removeEventListener("abort", onAbort);
      };
      const onUp = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(signal!.reason);
      };
      const timer = setTimeout(
        () => {
          cleanup();
          reject(this.unavailable());
        },
        Math.max(0, deadline - Date.now()),
      );
      this.on("up", onUp);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The error for work that gave up waiting. */
  unavailable(): DatabaseUnavailableError {
    return new DatabaseUnavailableError(
      `the store has not been able to reach its database for ${Math.round((Date.now() - (this.downSince ?? Date.now())) / 1000)} s; retry shortly`,
      { cause: this.lastError },
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
  }

  private scheduleProbe(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probe(), ms);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.stopped || this.reachable()) return;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: "factline-store probe",
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      this.reached();
    } catch (err) {
      this.failures++;
      this.lastError = err as Error;
      this.scheduleProbe(PROBE_MS);
    } finally {
      client.end().catch(() => {});
    }
  }
}
