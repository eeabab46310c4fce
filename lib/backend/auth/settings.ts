// How the console lets people in (README "Signing in"), read from the environment once and checked
// before anything listens: the launchers (scripts/launch/console.ts) refuse to start on a bad
// value, and the server reads the same settings. Plain Node: no Next.js here, so the launchers
// can import it.

/** `store`: sign in with a store account; `oidc`: with an identity provider; `none`: no sign-in (loopback only). */
export type ConsoleAuthMode = "store" | "oidc" | "none";
/** FACTLINE_CONSOLE_AUTH unset: `store` when the store has an access file, else `none` (lib/backend/auth/mode.ts). */
export type ConfiguredAuthMode = ConsoleAuthMode | "auto";

/** The environment, or a part of it (tests, a launcher's child environment). */
export type Env = Readonly<Record<string, string | undefined>>;

const MODES: readonly ConsoleAuthMode[] = ["store", "oidc", "none"];

/**
 * Sessions end after this long without a request, and after MAX at the latest, whatever the
 * activity: a console left open on a shared screen stops being usable within the idle time, and a
 * stolen cookie is worth a working day at most.
 */
export const DEFAULT_SESSION_IDLE_SECONDS = 30 * 60;
export const DEFAULT_SESSION_MAX_SECONDS = 12 * 60 * 60;
/** Below a minute a session would end while the user reads a page; beyond a week it is not a session. */
const MIN_SESSION_SECONDS = 60;
const MAX_SESSION_SECONDS = 7 * 24 * 60 * 60;
/** iron-session refuses shorter passwords: 32 characters carry at least 128 bits when random. */
export const MIN_SESSION_SECRET_LENGTH = 32;

export interface OidcClientSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

export interface ConsoleAuthSettings {
  mode: ConfiguredAuthMode;
  /** Where the console listens (HOST / PORT): what the Host check accepts when no public URL is set. */
  host: string;
  port: string;
  /** FACTLINE_CONSOLE_URL: the origin browsers use when the console is behind a proxy. */
  publicOrigin?: URL;
  /** FACTLINE_SESSION_SECRET when set; otherwise one is kept in the data directory (session-secret.ts). */
  sessionSecret?: string;
  dataDir: string;
  idleSeconds: number;
  maxSeconds: number;
  /** Only in `oidc` mode. */
  oidc?: OidcClientSettings;
}

/** A setting that cannot work; the message names it and says what to write instead. */
export class ConsoleConfigError extends Error {
  override name = "ConsoleConfigError";
}

/** Reads and checks the console's sign-in settings; throws ConsoleConfigError naming what to fix. */
export function readAuthSettings(env: Env = process.env): ConsoleAuthSettings {
  const raw = env.FACTLINE_CONSOLE_AUTH?.trim() ?? "";
  if (raw !== "" && !MODES.includes(raw as ConsoleAuthMode)) {
    throw new ConsoleConfigError(`FACTLINE_CONSOLE_AUTH must be one of ${MODES.join(", ")} (or unset), got "${raw}"`);
  }
  const mode = (raw || "auto") as ConfiguredAuthMode;
  const secret = env.FACTLINE_SESSION_SECRET;
  if (secret !== undefined && secret !== "" && secret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConsoleConfigError(
      `FACTLINE_SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`), got ${secret.length}`,
    );
  }
  const idleSeconds = seconds(env, "FACTLINE_SESSION_IDLE_SECONDS", DEFAULT_SESSION_IDLE_SECONDS);
  const maxSeconds = seconds(env, "FACTLINE_SESSION_MAX_SECONDS", DEFAULT_SESSION_MAX_SECONDS);
  if (idleSeconds > maxSeconds) {
    throw new ConsoleConfigError(
      `FACTLINE_SESSION_IDLE_SECONDS (${idleSeconds}) cannot exceed FACTLINE_SESSION_MAX_SECONDS (${maxSeconds})`,
    );
  }
  return {
    mode,
    host: env.HOST?.trim() || "127.0.0.1",
    port: env.PORT?.trim() || "3000",
    publicOrigin: publicOriginOf(env.FACTLINE_CONSOLE_URL),
    sessionSecret: secret || undefined,
    dataDir: env.FACTLINE_DATA_DIR?.trim() || ".factline",
    idleSeconds,
    maxSeconds,
    oidc: mode === "oidc" ? oidcOf(env) : undefined,
  };
}

/**
 * `none` lets anyone who reaches the console act with the console's own access to the store; that
 * is only acceptable when nobody but this machine's users can reach it.
 */
export function checkOpenConsoleHost(mode: ConsoleAuthMode, host: string): void {
  if (mode === "none" && !isLoopbackHost(host)) {
    throw new ConsoleConfigError(
      `FACTLINE_CONSOLE_AUTH=none is allowed only while the console listens on a loopback address, but HOST=${host}: ` +
        `anyone who can reach it could use it without signing in. Use FACTLINE_CONSOLE_AUTH=store or oidc, ` +
        `or HOST=127.0.0.1`,
    );
  }
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function publicOriginOf(raw: string | undefined): URL | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConsoleConfigError(
      `FACTLINE_CONSOLE_URL must be an origin like https://console.example.com, got "${value}"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConsoleConfigError(`FACTLINE_CONSOLE_URL must start with https:// or http://, got "${value}"`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new ConsoleConfigError(
      `FACTLINE_CONSOLE_URL must be an origin only (scheme, host, port; the console is served at its root), got "${value}"`,
    );
  }
  return url;
}

function oidcOf(env: Env): OidcClientSettings {
  const issuerText = env.FACTLINE_OIDC_ISSUER?.trim();
  const clientId = env.FACTLINE_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.FACTLINE_OIDC_CLIENT_SECRET ?? "";
  const missing = [
    issuerText ? undefined : "FACTLINE_OIDC_ISSUER",
    clientId ? undefined : "FACTLINE_OIDC_CLIENT_ID",
    clientSecret ? undefined : "FACTLINE_OIDC_CLIENT_SECRET",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConsoleConfigError(
      `FACTLINE_CONSOLE_AUTH=oidc needs ${missing.join(", ")}: the identity provider and the console's client registered there`,
    );
  }
  let issuer: URL;
  try {
    issuer = new URL(issuerText!);
  } catch {
    throw new ConsoleConfigError(`FACTLINE_OIDC_ISSUER must be the issuer's URL (https://…), got "${issuerText}"`);
  }
  // The tokens the console receives are its users' keys to the store: never over plaintext, except
  // to a provider on this machine (tests, a local Keycloak).
  if (issuer.protocol !== "https:" && !(issuer.protocol === "http:" && isLoopbackHost(issuer.hostname))) {
    throw new ConsoleConfigError(
      `FACTLINE_OIDC_ISSUER must use https:// (http:// only on loopback), got "${issuerText}"`,
    );
  }
  return { issuer, clientId: clientId!, clientSecret };
}

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < MIN_SESSION_SECONDS || value > MAX_SESSION_SECONDS) {
    throw new ConsoleConfigError(
      `${name} must be a whole number of seconds from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}, got "${raw}"`,
    );
  }
  return value;
}
