// GET /health/ready: whether this instance can do its work now — PostgreSQL answers, its schema has
// every migration this build needs, and the live tail is reading. Probes run at most once a second
// whoever asks how often, so a readiness check cannot load the database.
import { cancellableQuery, type StoreDatabase } from "../storage/db";
import { loadMigrations } from "../storage/migrate";
import type { TailHub } from "../subscriptions/tail";

// A load balancer asks every few seconds; a burst of callers shares one probe per second.
const PROBE_CACHE_MS = 1_000;
// Well below the 5 s of a typical readiness probe's timeout: a database this slow is not ready.
const PROBE_TIMEOUT_MS = 2_000;

export interface Check {
  ok: boolean;
  /** What was found, in words (never a driver's error text: /health may be open to anyone). */
  detail: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: Check; migrations: Check; tail: Check };
}

export class Readiness {
  private cached?: { at: number; report: Promise<ReadinessReport> };
  private expected?: Promise<number>;
  private stopping = false;

  constructor(
    private readonly db: StoreDatabase,
    private readonly tail: TailHub,
  ) {}

  /** From now on the instance reports not ready: load balancers stop sending it work before it closes. */
  stop(): void {
    this.stopping = true;
  }

  report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < PROBE_CACHE_MS && !this.stopping) return this.cached.report;
    const report = this.probe();
    this.cached = { at: now, report };
    return report;
  }

  private async probe(): Promise<ReadinessReport> {
    const tail: Check = this.tail.isReading()
      ? { ok: true, detail: `following from serial ${this.tail.headSerial()}` }
      : { ok: false, detail: "the live tail cannot read new facts" };
    let database: Check;
    let migrations: Check;
    const status = this.db.health.status();
    if (!status.reachable) {
      database = { ok: false, detail: `unreachable since ${new Date(status.downSinceMs!).toISOString()}` };
      migrations = { ok: false, detail: "unknown while the database is unreachable" };
    } else {
      try {
        const expected = await (this.expected ??= loadMigrations().then((all) =>
          Math.max(0, ...all.map((m) => m.version)),
        ));
        const { rows } = await cancellableQuery<{ version: number | null }>(
          this.db.lookups,
          "SELECT max(version) AS version FROM factline_migration",
          [],
          { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), timeoutMs: PROBE_TIMEOUT_MS, what: "the readiness check" },
        );
        const version = rows[0]?.version ?? 0;
        database = { ok: true, detail: "answers" };
        migrations =
          version >= expected
            ? { ok: true, detail: `schema version ${version}` }
            : { ok: false, detail: `schema version ${version}, this build needs ${expected}` };
      } catch {
        database = { ok: false, detail: `did not answer within ${PROBE_TIMEOUT_MS} ms` };
        migrations = { ok: false, detail: "unknown while the database does not answer" };
      }
    }
    if (this.stopping) {
      return {
        ready: false,
        checks: { database, migrations, tail: { ok: false, detail: "the instance is stopping" } },
      };
    }
    return { ready: database.ok && migrations.ok && tail.ok, checks: { database, migrations, tail } };
  }
}
