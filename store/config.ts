import { resolve } from "node:path";
import { parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from "./log";
import { MIN_POOL_SIZE } from "./storage/db";
import { DEFAULT_OUTAGE_MS } from "./storage/health";
import { DEFAULT_CATCHUP_READ_TIMEOUT_MS, DEFAULT_CURSOR_IDLE_MS } from "./storage/read";

/** The store's configuration, from the environment variables documented in the README. */
export interface StoreConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  poolSize: number;
  cursorIdleMs: number;
  /** How long subscriptions wait for an unreachable database before ending with UNAVAILABLE. */
  dbOutageMs: number;
  /** How long one catch-up read may run in the database before it is cancelled; 0: no limit. */
  catchupReadTimeoutMs: number;
  /** Serve factline's admin services beside FactCast's; off makes the store look like plain FactCast. */
  adminServices: boolean;
  /** Schema validation on publish: off, registered (facts with a schema must match it), strict. */
  validation: "off" | "registered" | "strict";
  /** The threads that compile schemas and validate large or slow payloads (store/schemas/validation-pool.ts). */
  validationWorkers: ValidationWorkersConfig;
  /** Who may call, and how they prove it (README "Security"); loaded by store/auth/security.ts. */
  security: SecurityConfig;
  /** PEM files: serve gRPC over TLS (h2) instead of plaintext h2c. */
  tls?: { certFile: string; keyFile: string };
  /** Whether subscriptions may carry FactSpec filter scripts (FactCast's filterScript / jsFilterScript). */
  filterScripts: boolean;
  /** Where transformations and filter scripts run (docs/sandbox.md). */
  sandbox: SandboxConfig;
  /** The HTTP port for metrics and health (README "Operating"). */
  http: HttpConfig;
  /** How often this instance records itself and its subscriptions in the database. */
  heartbeatMs: number;
  log: { level: LogLevel; format: LogFormat };
  /** The transformation cache's bound in bytes (FACTLINE_TRANSFORMATION_CACHE_MB; 0: no cache). */
  transformationCacheBytes: number;
  /** Hot-standby replicas for catch-ups, lookups and console queries (README "Read replicas"). */
  replicas: ReplicasConfig;
}

export interface ReplicasConfig {
  /** FACTLINE_READ_URLS, in the order given; empty: every read goes to the primary. */
  urls: string[];
  /** Connections per replica (FACTLINE_READ_POOL_SIZE), shared between its catch-ups and lookups. */
  poolSize: number;
}

/** What the HTTP port serves without credentials when an access file is in force. */
export const HTTP_OPENABLE = ["metrics", "health"] as const;
export type HttpOpenable = (typeof HTTP_OPENABLE)[number];

export interface HttpConfig {
  /** 0 picks a free port (the start line names it). */
  port: number;
  /** FACTLINE_HTTP_OPEN: endpoints served without credentials even when an access file is in force. */
  open: ReadonlySet<HttpOpenable>;
}

export interface SandboxConfig {
  /** Worker threads, each with its own engine. */
  workers: number;
  /** CPU time one script call (one fact) may take. */
  timeMs: number;
  /** Memory one engine may hold: the scripts' heap plus the batch it works on. */
  memoryBytes: number;
}

export interface ValidationWorkersConfig {
  workers: number;
  /** How long one validation job (a publish's payloads, a schema's compile) may run on its worker. */
  timeMs: number;
}

export interface SecurityConfig {
  accessFile?: string;
  secretsFile?: string;
  /** FACTLINE_SECURITY=off: run open on any address (FactCast's factcast.security.enabled=false). */
  enabled: boolean;
  oidc?: { issuer: string; audience?: string; accountClaim: string; rolesClaim: string; clockSkewS: number };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: resolve(env.FACTLINE_DATA_DIR?.trim() || ".factline"),
    host: env.FACTLINE_STORE_HOST?.trim() || "127.0.0.1",
    port: integer(env, "FACTLINE_STORE_PORT", 9090, 0, 65_535),
    // Catch-ups hold a connection while streaming; 20 serves many concurrent catch-ups on 2 cores
    // while staying far below PostgreSQL's default max_connections of 100 for a few instances.
    // Shared out by role in store/storage/db.ts (planPools), which needs at least MIN_POOL_SIZE.
    poolSize: integer(env, "FACTLINE_DB_POOL_SIZE", 20, MIN_POOL_SIZE, 500),
    cursorIdleMs: integer(env, "FACTLINE_CATCHUP_IDLE_MS", DEFAULT_CURSOR_IDLE_MS, 100, 3_600_000),
    // A failover can take a minute or more; an operator who expects that raises the bound.
    dbOutageMs: integer(env, "FACTLINE_DB_OUTAGE_MS", DEFAULT_OUTAGE_MS, 1_000, 3_600_000),
    catchupReadTimeoutMs: integer(
      env,
      "FACTLINE_CATCHUP_READ_TIMEOUT_MS",
      DEFAULT_CATCHUP_READ_TIMEOUT_MS,
      0,
      86_400_000,
    ),
    adminServices: onOff(env, "FACTLINE_ADMIN_SERVICES", true),
    validation: oneOf(env, "FACTLINE_VALIDATION", ["off", "registered", "strict"] as const, "registered"),
    validationWorkers: {
      // Most payloads are validated on the main thread; workers take large ones and slow schemas.
      // Two keep one busy with a slow job from holding up the rest, without taking every core.
      workers: integer(env, "FACTLINE_VALIDATION_WORKERS", 2, 1, 64),
      // Parsing and validating a 40 MiB payload (the largest request) takes 1–3 s; ten seconds is far
      // beyond honest work and bounds what one call can take from a worker.
      timeMs: integer(env, "FACTLINE_VALIDATION_TIME_MS", 10_000, 100, 600_000),
    },
    security: securityConfig(env),
    tls: tlsConfig(env),
    filterScripts: onOff(env, "FACTLINE_FILTER_SCRIPTS", true),
    sandbox: {
      // One per core of a small machine: the sandbox never takes every core from the store and PostgreSQL.
      workers: integer(env, "FACTLINE_SANDBOX_WORKERS", 2, 1, 64),
      // A transformation takes microseconds; a second is far beyond any honest script, short
      // enough that a runaway one fails its subscription promptly.
      timeMs: integer(env, "FACTLINE_SANDBOX_TIME_MS", 1_000, 10, 60_000),
      // Per worker: payloads of a few MB and their copies fit in 128 MiB; more workers × more
      // memory is the operator's trade.
      memoryBytes: integer(env, "FACTLINE_SANDBOX_MEMORY_MB", 128, 32, 4_096) * 1024 * 1024,
    },
    http: { port: integer(env, "FACTLINE_HTTP_PORT", 9091, 0, 65_535), open: httpOpen(env) },
    // A few seconds: the console's lag figures are at most this old, and one small batched write per
    // beat per instance costs the database nothing. An instance is gone after five missed beats.
    heartbeatMs: integer(env, "FACTLINE_HEARTBEAT_MS", 2_000, 100, 60_000),
    log: logConfig(env),
    // Payload bytes of transformed facts kept in PostgreSQL for all instances: 512 MiB holds about
    // half a million 1 KB payloads — a few large catch-ups — and is small beside a log that needs
    // transformations. The least recently used entries go first (store/transformations/cache.ts).
    transformationCacheBytes: integer(env, "FACTLINE_TRANSFORMATION_CACHE_MB", 512, 0, 1_048_576) * 1024 * 1024,
    replicas: {
      urls: readUrls(env),
      // Like the primary's pool, but without writers and tail: catch-ups take most, lookups a fifth
      // (store/storage/replicas/replica.ts); two is the least that gives each its own connection.
      poolSize: integer(env, "FACTLINE_READ_POOL_SIZE", 10, 2, 500),
    },
  };
}

/**
 * FACTLINE_READ_URLS: comma-separated PostgreSQL URLs. A bad entry stops the start with its
 * position and the URL without its password, so the error never shows a credential.
 */
function readUrls(env: NodeJS.ProcessEnv): string[] {
  const raw = env.FACTLINE_READ_URLS?.trim();
  if (!raw) return [];
  const entries = raw.split(",").map((s) => s.trim());
  const urls: string[] = [];
  entries.forEach((entry, i) => {
    const which = `FACTLINE_READ_URLS entry ${i + 1} of ${entries.length}`;
    if (entry === "") throw new ConfigError(`${which} is empty: list PostgreSQL URLs separated by single commas`);
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(
        `${which} ("${withoutPassword(entry)}") is not a URL: write postgres://user:password@host:port/database`,
      );
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      throw new ConfigError(
        `${which} ("${withoutPassword(entry)}") must be a postgres:// or postgresql:// URL, not ${url.protocol}`,
      );
    }
    // A socket directory may come as ?host=/path instead (node-postgres reads it there).
    if (!url.hostname && !url.searchParams.get("host"))
      throw new ConfigError(`${which} ("${withoutPassword(entry)}") names no host`);
    if (urls.includes(entry)) throw new ConfigError(`${which} ("${withoutPassword(entry)}") is listed twice`);
    urls.push(entry);
  });
  return urls;
}

/** A PostgreSQL URL as it may be logged: user, host, port and database, never the password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    parsed.search = "";
    return parsed.toString();
  } catch {
    // Not parseable: hide whatever sits between "://" and "@", where a password would be.
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

function logConfig(env: NodeJS.ProcessEnv): StoreConfig["log"] {
  const level = parseLogLevel(env.FACTLINE_LOG);
  if (!level)
    throw new ConfigError(`FACTLINE_LOG must be one of debug, info, warn, error, silent, got "${env.FACTLINE_LOG}"`);
  const format = parseLogFormat(env.FACTLINE_LOG_FORMAT, process.stderr.isTTY === true);
  if (!format) throw new ConfigError(`FACTLINE_LOG_FORMAT must be json or pretty, got "${env.FACTLINE_LOG_FORMAT}"`);
  return { level, format };
}

function httpOpen(env: NodeJS.ProcessEnv): ReadonlySet<HttpOpenable> {
  const raw = env.FACTLINE_HTTP_OPEN?.trim().toLowerCase() ?? "";
  if (raw === "" || raw === "none") return new Set();
  const open = new Set<HttpOpenable>();
  for (const item of raw.split(",").map((s) => s.trim())) {
    if (!(HTTP_OPENABLE as readonly string[]).includes(item)) {
      throw new ConfigError(
        `FACTLINE_HTTP_OPEN must list what the HTTP port serves without credentials: metrics, health, both ("metrics,health") or none; got "${env.FACTLINE_HTTP_OPEN}"`,
      );
    }
    open.add(item as HttpOpenable);
  }
  return open;
}

function securityConfig(env: NodeJS.ProcessEnv): SecurityConfig {
  const issuer = text(env, "FACTLINE_OIDC_ISSUER");
  return {
    accessFile: path(env, "FACTLINE_ACCESS_FILE"),
    secretsFile: path(env, "FACTLINE_SECRETS_FILE"),
    enabled: onOff(env, "FACTLINE_SECURITY", true),
    oidc: issuer
      ? {
          issuer,
          audience: text(env, "FACTLINE_OIDC_AUDIENCE"),
          accountClaim: text(env, "FACTLINE_OIDC_ACCOUNT_CLAIM") ?? "sub",
          rolesClaim: text(env, "FACTLINE_OIDC_ROLES_CLAIM") ?? "groups",
          // Clocks of the store and the identity provider may differ by this much (exp, nbf, iat);
          // 30 s covers machines kept in sync by NTP, 5 minutes is as much as any token should get.
          clockSkewS: integer(env, "FACTLINE_OIDC_CLOCK_SKEW_S", 30, 0, 300),
        }
      : undefined,
  };
}

function tlsConfig(env: NodeJS.ProcessEnv): StoreConfig["tls"] {
  const certFile = path(env, "FACTLINE_TLS_CERT");
  const keyFile = path(env, "FACTLINE_TLS_KEY");
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    throw new ConfigError(
      `TLS needs both FACTLINE_TLS_CERT and FACTLINE_TLS_KEY (PEM files); only ${certFile ? "FACTLINE_TLS_CERT" : "FACTLINE_TLS_KEY"} is set`,
    );
  }
  return { certFile, keyFile };
}

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function path(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = text(env, name);
  return value === undefined ? undefined : resolve(value);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "on" || raw === "true" || raw === "1") return true;
  if (raw === "off" || raw === "false" || raw === "0") return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${env[name]}"`);
}
