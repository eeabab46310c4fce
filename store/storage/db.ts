import { createConnection } from "node:net";
import pg from "pg";
import { DatabaseUnavailableError, QueryTimeLimitError } from "../errors";
import { dbErrors } from "../metrics/registry";
import { isConnectionLoss, isQueryCancelled } from "./db-errors";
import type { DatabaseHealth } from "./health";
import type { ReplicaSet } from "./replicas/replica-set";

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;

// int8 columns (serials, counts) arrive as bigint, never as lossy numbers or strings.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => BigInt(v)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * What each pool is for. Every kind of work has connections of its own, so that expensive reads
 * (many catch-ups, a FactSpec no index serves) can take all of theirs while publishes, the live
 * tail and lookups still get one at once.
 */
export type PoolRole = "reads" | "lookups" | "writes" | "tail";

/** How a store instance's FACTLINE_DB_POOL_SIZE connections are shared out among the roles. */
export interface PoolPlan {
  reads: number;
  lookups: number;
  writes: number;
  tail: number;
}

// Writers take advisory lock 128 one after another. The group commit keeps up to two groups in
// PostgreSQL at once (the second waits on the lock while the first commits, store/storage/group-commit.ts);
// one more connection lets a conditional publish wait on the lock beside them instead of behind them
// in the pool, when the pool is large enough to spare it. The tail's read loop runs one query at a time.
const WRITE_CONNECTIONS = 3;
const WRITE_CONNECTIONS_SMALLEST = 2;
const TAIL_CONNECTIONS = 1;
/** The smallest FACTLINE_DB_POOL_SIZE that leaves every role at least one connection of its own. */
export const MIN_POOL_SIZE = 5;

export function planPools(total: number): PoolPlan {
  if (total < MIN_POOL_SIZE) throw new Error(`a store needs at least ${MIN_POOL_SIZE} database connections`);
  // Lookups are short (index-served); a fifth of the pool keeps unary calls quick under load.
  const lookups = Math.max(1, Math.floor(total / 5));
  const writes = total > MIN_POOL_SIZE ? WRITE_CONNECTIONS : WRITE_CONNECTIONS_SMALLEST;
  return { writes, tail: TAIL_CONNECTIONS, lookups, reads: total - writes - TAIL_CONNECTIONS - lookups };
}

// A caller waits at most this long for a connection (its pool busy, or PostgreSQL not answering)
// before failing with UNAVAILABLE: below the 10 s deadline FactCast clients give their handshake,
// so a client sees a clear status rather than its own timeout.
export const CONNECTION_WAIT_MS = 5_000;
// Server-side limits per statement. Lookups and the tail's page reads are index-served and take
// milliseconds; a group commit of 5,000 facts / 32 MB takes well under a second on a healthy
// server. Past these something is wrong (a lock held by a stuck client, a runaway plan), and the
// statement is cancelled instead of holding its connection. Catch-up cursors cannot have a session
// statement_timeout (PostgreSQL counts it over the cursor's whole life); read.ts bounds each read.
const STATEMENT_TIMEOUT_MS: Record<PoolRole, number> = { reads: 0, lookups: 10_000, writes: 30_000, tail: 10_000 };
// A transaction left open (a conditional publish whose caller froze) must not hold lock 128.
const IDLE_IN_TRANSACTION_MS = 10_000;
// Detects a server that vanished without closing the connection (a failover, a dropped network).
const KEEPALIVE_DELAY_MS = 10_000;

/** Connection settings every session of the store runs with, whatever the server's defaults. */
export function sessionConfig(url: string, application: string, statementTimeoutMs = 0): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    application_name: application,
    connectionTimeoutMillis: CONNECTION_WAIT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    statement_timeout: statementTimeoutMs || undefined,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    // A fact is acknowledged only once its commit is durable, even on a server configured with
    // synchronous_commit = off (which would also show it to followers before it is safe on disk).
    options: "-c synchronous_commit=on",
  };
}

/** The store's pools, one per role, and what they tell about reaching PostgreSQL. */
export interface StoreDatabase {
  /** Catch-up cursors, console pages, schema dry runs: the expensive reads. */
  reads: Db;
  /** Unary lookups, catalog, tokens, schema registry. */
  lookups: Db;
  /** Group commits and conditional publishes. */
  writes: Db;
  /** The live tail's reads. */
  tail: Db;
  health: DatabaseHealth;
  url: string;
  /**
   * Hot-standby replicas (FACTLINE_READ_URLS) for catch-ups, lookups and console queries; absent
   * or empty: the primary serves every read (store/storage/replicas/).
   */
  replicas?: ReplicaSet;
  end(): Promise<void>;
}

export function openDatabase(url: string, size: number, health: DatabaseHealth): StoreDatabase {
  const plan = planPools(size);
  const pool = (role: PoolRole) => createPool(url, role, plan[role], health);
  const pools = { reads: pool("reads"), lookups: pool("lookups"), writes: pool("writes"), tail: pool("tail") };
  return {
    ...pools,
    health,
    url,
    end: async () => {
      await Promise.all(Object.values(pools).map((p) => p.end()));
    },
  };
}

/**
 * A pool whose connections can never crash the store: every client gets an error listener the
 * moment it connects (pg emits 'error' on a checked-out client whose connection drops, and an
 * 'error' without a listener ends the process), and every loss is reported to `health`.
 */
export function createPool(url: string, role: PoolRole, size: number, health: DatabaseHealth): Db {
  const pool = new ObservedPool(
    {
      ...sessionConfig(url, `factline-store ${role}`, STATEMENT_TIMEOUT_MS[role]),
      max: size,
      idleTimeoutMillis: 30_000,
    },
    role,
    health,
  );
  const connectionLost = dbErrors.labels(role, "connection");
  pool.on("connect", (client) => {
    health.reached();
    client.on("error", (err) => {
      connectionLost.inc();
      health.lost(err, `a ${role} connection`);
    });
  });
  // An idle connection that drops: the pool has removed it already; the next use opens another.
  pool.on("error", (err) => {
    connectionLost.inc();
    health.lost(err, `an idle ${role} connection`);
  });
  countQueryErrors(pool, role);
  return pool;
}

/**
 * pg.Pool reporting failed connection attempts (which pg only hands to the caller) and telling
 * "PostgreSQL does not answer" apart from "every connection of this pool is busy".
 */
class ObservedPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly role: PoolRole,
    private readonly health: DatabaseHealth,
  ) {
    super(config);
  }

  // pg-pool's query() checks out through connect(callback), so both paths come through here.
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    const busy = this.totalCount >= (this.options.max ?? 10) && this.idleCount === 0;
    const translate = (err: Error) => this.translate(err, busy);
    if (!callback) return super.connect().catch((err: Error) => Promise.reject(translate(err)));
    super.connect((err, client, done) => callback(err ? translate(err) : undefined, client, done));
  }

  private translate(err: Error, busy: boolean): Error {
    if (/timeout exceeded when trying to connect/i.test(err.message) && busy) {
      dbErrors.labels(this.role, "pool_exhausted").inc();
      return new DatabaseUnavailableError(
        `every ${this.role} connection of this store instance stayed busy for ${CONNECTION_WAIT_MS / 1000} s; retry shortly`,
        { cause: err, overloaded: true },
      );
    }
    if (isConnectionLoss(err) || /timeout exceeded when trying to connect/i.test(err.message)) {
      dbErrors.labels(this.role, "connection").inc();
      this.health.lost(err, `opening a ${this.role} connection`);
      return new DatabaseUnavailableError("the store cannot reach its database; retry shortly", { cause: err });
    }
    return err;
  }
}

/**
 * Counts the errors of statements run through `pool.query` (most of the store's): timeouts apart,
 * connections lost mid-statement apart; failures to get a connection are counted where they happen.
 */
function countQueryErrors(pool: pg.Pool, role: PoolRole): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const count = (err: unknown) => {
    if (err instanceof DatabaseUnavailableError) return;
    const kind = isQueryCancelled(err) ? "timeout" : isConnectionLoss(err) ? "connection" : "query";
    dbErrors.labels(role, kind).inc();
  };
  pool.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) result.catch(count);
    return result;
  }) as typeof pool.query;
}

/** A dedicated connection outside the pools (LISTEN needs one that is never handed to others). */
export function createDedicatedClient(url: string): pg.Client {
  return new pg.Client(sessionConfig(url, "factline-store listen"));
}

/**
 * Checks a client out for `signal`'s holder. A caller that gives up while waiting gets its
 * rejection at once; the connection, when it comes, goes straight back to the pool.
 */
export async function acquire(db: Db, signal?: AbortSignal): Promise<DbClient> {
  signal?.throwIfAborted();
  if (!signal) return db.connect();
  const pending = db.connect();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error("cancelled"));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    pending.then(
      (client) => client.release(),
      () => {},
    );
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/**
 * Stops whatever `client` is running and gives its pool slot back at once: a CancelRequest to the
 * server (PostgreSQL's own protocol message, needing no connection slot and no login), then the
 * connection is discarded rather than reused mid-protocol. The backend ends as soon as its query
 * has been cancelled and it finds the connection closed.
 */
export function cancelAndDiscard(client: DbClient): void {
  cancelBackend(client);
  client.release(new Error("discarded after cancelling its query"));
}

/** Sends PostgreSQL's CancelRequest for `client`'s backend; best effort, never throws. */
export function cancelBackend(client: pg.ClientBase): void {
  const raw = client as unknown as {
    processID?: number;
    secretKey?: number;
    connectionParameters?: { host?: string; port?: number };
  };
  const { processID, secretKey } = raw;
  if (processID === undefined || processID === null || secretKey === undefined || secretKey === null) return;
  const host = raw.connectionParameters?.host ?? "localhost";
  const port = raw.connectionParameters?.port ?? 5432;
  void sendCancel(host, port, processID, secretKey);
}

// CancelRequest: length 16, code 80877102, backend pid, secret key (protocol 3.0, which pg speaks).
const CANCEL_REQUEST_CODE = 80877102;
const CANCEL_TIMEOUT_MS = 2_000;

async function sendCancel(host: string, port: number, pid: number, key: number): Promise<void> {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(pid, 8);
  message.writeInt32BE(key, 12);
  await new Promise<void>((resolve) => {
    const socket = host.startsWith("/")
      ? createConnection(`${host}/.s.PGSQL.${port}`)
      : createConnection({ host, port });
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(CANCEL_TIMEOUT_MS, done);
    socket.once("error", done);
    socket.once("close", done);
    // The server closes the connection once it has read the request; that is the only answer.
    socket.once("connect", () => socket.end(message));
  });
}

/** Runs `work` in a transaction on a pooled connection, rolling back on any error. */
export async function inTransaction<T>(db: Db, work: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    if (isConnectionLoss(err)) broken = err as Error;
    else await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * One query that stops when `signal` aborts or after `timeoutMs`: the server is told to cancel it
 * and its connection is freed at once, instead of scanning on for a caller that has gone.
 */
export async function cancellableQuery<R extends pg.QueryResultRow>(
  db: Db,
  sql: string,
  params: unknown[],
  options: { signal?: AbortSignal; timeoutMs?: number; what: string },
): Promise<pg.QueryResult<R>> {
  const client = await acquire(db, options.signal);
  let stopped: Error | undefined;
  let broken: Error | undefined;
  const stop = (reason: Error) => {
    if (stopped) return;
    stopped = reason;
    cancelAndDiscard(client);
  };
  const onAbort = () => stop((options.signal?.reason as Error) ?? new Error("cancelled"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = options.timeoutMs
    ? setTimeout(() => stop(new QueryTimeLimitError(options.what, options.timeoutMs!)), options.timeoutMs)
    : undefined;
  try {
    return await client.query<R>(sql, params);
  } catch (err) {
    if (isConnectionLoss(err)) broken = err as Error;
    throw stopped ?? err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    if (!stopped) client.release(broken);
  }
}
