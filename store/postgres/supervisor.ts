/**
 * Keeps the embedded PostgreSQL of `npm start` / `npm run store` running. When the server dies (a
 * crash, kill -9, the OOM killer) the store starts it again on the same port and data directory,
 * where its pools — which retry by themselves (store/storage/health.ts) — find it again; clients
 * meanwhile see what README "Failures and recovery" says about a PostgreSQL restart. Each store on a
 * shared data directory supervises the one server; the start lock (./users.ts) makes them restart it
 * once, the others joining it.
 *
 * Crash loops back off and are bounded: the n-th crash within CRASH_WINDOW_MS waits
 * RESTART_BACKOFF_MS·2^(n-2) (capped) before the restart; past MAX_CRASHES crashes in the window, or
 * when a restart keeps failing for RESTART_FOR_MS, the supervisor gives up and the store stops with
 * an error naming the server's log: a server that cannot stay up needs an operator, and a store that
 * only answers UNAVAILABLE would hide that.
 */
import { log } from "../log";
import type { EmbeddedPostgres } from "./embedded";

/** How often the postmaster is looked at: a dead one is noticed within this, well below a client's deadline. */
const CHECK_MS = 250;
/** The second crash in a window waits this long before its restart, the next ones twice as long each. */
const RESTART_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** Crashes counted over this window; more than MAX_CRASHES in it is a crash loop. */
const CRASH_WINDOW_MS = 10 * 60_000;
const MAX_CRASHES = 5;
/**
 * One restart keeps being tried this long (a killed server's backends must first let go of its
 * memory; another program may hold the port for a moment) before the supervisor gives up.
 */
const RESTART_FOR_MS = 60_000;
const RETRY_MS = 500;

export interface SupervisorPolicy {
  maxCrashes: number;
  crashWindowMs: number;
  restartForMs: number;
}

export const RESTART_POLICY: SupervisorPolicy = {
  maxCrashes: MAX_CRASHES,
  crashWindowMs: CRASH_WINDOW_MS,
  restartForMs: RESTART_FOR_MS,
};

/** The delay before restarting after the `crash`-th crash of a window (1-based). */
export function restartDelay(crash: number): number {
  return crash <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, RESTART_BACKOFF_MS * 2 ** (crash - 2));
}

export class PostgresSupervisor {
  private timer?: NodeJS.Timeout;
  private recovering?: Promise<void>;
  private crashes: number[] = [];
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly postgres: EmbeddedPostgres,
    /** Called once when the supervisor gives up, with the reason; the store then stops. */
    private readonly onGiveUp: (reason: string) => void,
    private readonly policy: SupervisorPolicy = RESTART_POLICY,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.check(), CHECK_MS);
    return this;
  }

  /** No more restarts; waits for one under way (it stops at its next step). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.wake?.();
    await this.recovering;
  }

  private check(): void {
    if (this.stopped || this.recovering || this.postgres.alive()) return;
    this.recovering = this.recover().finally(() => (this.recovering = undefined));
  }

  private async recover(): Promise<void> {
    const diedAt = Date.now();
    const { pid, port } = this.postgres;
    this.crashes = [...this.crashes.filter((t) => diedAt - t < this.policy.crashWindowMs), diedAt];
    const crash = this.crashes.length;
    const window = `${Math.round(this.policy.crashWindowMs / 60_000)} min`;
    if (crash > this.policy.maxCrashes) {
      return this.giveUp(
        `embedded PostgreSQL stopped ${crash} times within ${window} (last: pid ${pid}, ${this.postgres.exitReason()}); not restarting it again`,
      );
    }
    const delay = restartDelay(crash);
    log.warn("embedded PostgreSQL stopped unexpectedly; restarting it", {
      pid,
      port,
      cause: this.postgres.exitReason(),
      crash: `${crash} of at most ${this.policy.maxCrashes} in ${window}`,
      restartInMs: delay,
      serverLog: this.postgres.logFile,
    });
    await this.pause(delay);
    let lastError: Error | undefined;
    while (!this.stopped) {
      try {
        await this.postgres.ensureRunning();
        log.info("embedded PostgreSQL is back", {
          pid: this.postgres.pid,
          port: this.postgres.port,
          afterMs: Date.now() - diedAt,
        });
        return;
      } catch (error) {
        lastError = error as Error;
      }
      if (Date.now() - diedAt > this.policy.restartForMs) {
        return this.giveUp(
          `embedded PostgreSQL could not be restarted within ${this.policy.restartForMs / 1000} s: ${lastError.message}`,
        );
      }
      await this.pause(RETRY_MS);
    }
  }

  private giveUp(reason: string): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.onGiveUp(`${reason}; see ${this.postgres.logFile}`);
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
