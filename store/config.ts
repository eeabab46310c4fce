import { resolve } from "node:path";
import { DEFAULT_CURSOR_IDLE_MS } from "./storage/read";

/** The store's configuration, from the environment variables documented in the README. */
export interface StoreConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  poolSize: number;
  cursorIdleMs: number;
  /** Serve factline's admin services beside FactCast's; off makes the store look like plain FactCast. */
  adminServices: boolean;
  /** Schema validation on publish: off, registered (facts with a schema must match it), strict. */
  validation: "off" | "registered" | "strict";
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
    poolSize: integer(env, "FACTLINE_DB_POOL_SIZE", 20, 2, 500),
    cursorIdleMs: integer(env, "FACTLINE_CATCHUP_IDLE_MS", DEFAULT_CURSOR_IDLE_MS, 100, 3_600_000),
    adminServices: onOff(env, "FACTLINE_ADMIN_SERVICES", true),
    validation: oneOf(env, "FACTLINE_VALIDATION", ["off", "registered", "strict"] as const, "registered"),
  };
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
