// The console's sign-in state for the whole process: settings, the session table, the sign-in
// limiter and the resolved mode. Next.js bundles proxy.ts, route handlers and pages separately, and
// each bundle has its own copy of every module, so this state lives on globalThis: one session
// table that every entry point of the one `next start` process sees.
import { Code, ConnectError } from "@connectrpc/connect";
import { log } from "../log";
import { asUser, sharedUpstream, type Upstream } from "../upstream/upstream";
import { probeStoreAuth } from "./mode";
import { SignInLimiter } from "./rate-limit";
import { sessionSecret } from "./session-secret";
import { SessionStore, type EndReason, type Session } from "./sessions";
import { isLoopbackHost, readAuthSettings, type ConsoleAuthMode, type ConsoleAuthSettings } from "./settings";

/**
 * How long the store's answer to "do you check credentials?" holds when FACTLINE_CONSOLE_AUTH is
 * unset: an operator who restarts the store with an access file gets a sign-in page within this.
 */
export const MODE_TTL_MS = 30_000;
/** An unreachable store is asked again after this, not by every request (each would wait for its timeout). */
const UNREACHABLE_TTL_MS = 5_000;
/** Ended sessions are looked for this often, so idle and expired ones are recorded in the store's audit trail. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * How the console treats a request right now: a mode, or `unknown` while FACTLINE_CONSOLE_AUTH is
 * unset and the store has not answered whether it checks credentials (console on loopback only).
 */
export type EffectiveMode = ConsoleAuthMode | "unknown";

export interface AuthRuntime {
  readonly settings: ConsoleAuthSettings;
  readonly sessions: SessionStore;
  readonly limiter: SignInLimiter;
  /** The cookie-sealing key (made on first use when FACTLINE_SESSION_SECRET is unset). */
  secret(): string;
  /** store, oidc or none; with FACTLINE_CONSOLE_AUTH unset, what the store's answer means. */
  mode(): Promise<EffectiveMode>;
  /** The store as this session's user, their address forwarded for the audit trail. */
  upstreamFor(session: Session, address?: string): Upstream;
}

const KEY = Symbol.for("factline.console.auth-runtime");
type Holder = { [KEY]?: AuthRuntime };

export function authRuntime(): AuthRuntime {
  const holder = globalThis as Holder;
  holder[KEY] ??= createAuthRuntime(readAuthSettings(process.env));
  return holder[KEY];
}

export function createAuthRuntime(
  settings: ConsoleAuthSettings,
  upstream: () => Upstream = sharedUpstream,
): AuthRuntime {
  let secret: string | undefined;
  let resolved: { mode: EffectiveMode; at: number; ttl: number } | undefined;
  let probing: Promise<EffectiveMode> | undefined;

  const upstreamFor = (session: Session, address?: string) =>
    asUser(upstream(), session.account, session.credentials, address);

  const sessions = new SessionStore(
    { idleMs: settings.idleSeconds * 1000, maxMs: settings.maxSeconds * 1000 },
    (session, reason) => void recordEnd(upstreamFor(session), session, reason),
  );
  setInterval(() => sessions.sweep(), SWEEP_INTERVAL_MS).unref();

  async function probe(): Promise<EffectiveMode> {
    try {
      const answer = await probeStoreAuth(upstream().withCredentials(undefined));
      // An open store behind a console others can reach: sign-in (which the open store cannot
      // check) rather than an open console; the sign-in page then says why nobody gets in.
      const mode = answer === "none" && !isLoopbackHost(settings.host) ? "store" : answer;
      resolved = { mode, at: Date.now(), ttl: MODE_TTL_MS };
      return mode;
    } catch {
      // Unreachable: nobody can tell whether it checks credentials. Reachable from this machine
      // only, the console shows its pages and asks the store without any credentials (only an
      // open store would answer those: exactly `none`); reachable from others, nobody gets in.
      const mode = isLoopbackHost(settings.host) ? "unknown" : "store";
      resolved = { mode, at: Date.now(), ttl: UNREACHABLE_TTL_MS };
      return mode;
    }
  }

  return {
    settings,
    sessions,
    limiter: new SignInLimiter(),
    secret: () => (secret ??= sessionSecret(settings)),
    async mode() {
      if (settings.mode !== "auto") return settings.mode;
      if (resolved && Date.now() - resolved.at < resolved.ttl) return resolved.mode;
      probing ??= probe().finally(() => (probing = undefined));
      return probing;
    },
    upstreamFor,
  };
}

/** Tells the store's audit trail that a session ended by itself (or was signed out). */
export async function recordEnd(as: Upstream, session: Session, reason: EndReason): Promise<void> {
  try {
    await as.access.signOut({ reason }, { timeoutMs: 5_000 });
  } catch (err) {
    // An expired OIDC token cannot sign itself out, and a plain FactCast server has no audit trail.
    const code = err instanceof ConnectError ? err.code : undefined;
    if (code === Code.Unauthenticated || code === Code.Unimplemented) return;
    log.warn("a session's end could not be recorded in the store's audit trail", {
      account: session.account,
      reason,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
