// Signed-in users, kept in the console's memory and named in the browser only by a random id
// inside a sealed cookie (cookies.ts). Why not the credentials in the cookie itself: then a cookie
// copied before sign-out would keep working until it expired, the user's password would travel
// with every request (encrypted, but still), and a refreshed OIDC token could not be saved from a
// server-rendered page. Kept here, sign-out ends a session everywhere at once, and the password
// never leaves the server. The price: a console restart signs everyone out, and several console
// instances behind one address need sticky sessions (README "Signing in").
import { randomBytes } from "node:crypto";
import type { StoreCredentials } from "../../../factcast/client";

export interface OidcTokens {
  accessToken: string;
  refreshToken?: string;
  /** When the access token expires (ms since epoch); it is refreshed shortly before. */
  expiresAt: number;
  /** For the provider's end_session endpoint (id_token_hint). */
  idToken?: string;
}

export interface Session {
  readonly id: string;
  /** The account as the store named it. */
  readonly account: string;
  readonly via: "basic" | "bearer";
  /** What every upstream call carries (Basic or the current access token). */
  credentials: StoreCredentials;
  oidc?: OidcTokens;
  readonly createdAt: number;
  lastSeenAt: number;
}

export type EndReason = "signed out" | "idle" | "expired";

export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

/**
 * At most this many sessions at once: each is a few hundred bytes (a few KB with OIDC tokens), so
 * the bound is megabytes. Sign-ins need valid credentials and are rate-limited, so reaching it
 * means many real users; the least recently used session then ends first.
 */
export const MAX_SESSIONS = 10_000;

/** The in-memory table of sessions with idle and absolute expiry. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits,
    /** Told about each session that ends by itself (idle, expired, evicted), e.g. to record it in the store. */
    private readonly onEnd: (session: Session, reason: EndReason) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  create(init: Pick<Session, "account" | "via" | "credentials" | "oidc">): Session {
    if (this.sessions.size >= MAX_SESSIONS) this.evictLeastRecent();
    const at = this.now();
    // 256 random bits: unguessable, and the cookie that carries it is sealed besides.
    const session: Session = { ...init, id: randomBytes(32).toString("base64url"), createdAt: at, lastSeenAt: at };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its idle clock restarted; undefined when unknown or ended. */
  use(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const ended = this.endReason(session);
    if (ended) {
      this.drop(session, ended);
      return undefined;
    }
    session.lastSeenAt = this.now();
    return session;
  }

  /** Sign-out: the session is gone at once, whatever cookie still names it. */
  end(id: string): Session | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    return session;
  }

  /** Ends every session past its idle or absolute limit (called on a timer), telling onEnd. */
  sweep(): void {
    for (const session of [...this.sessions.values()]) {
      const ended = this.endReason(session);
      if (ended) this.drop(session, ended);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  private endReason(session: Session): EndReason | undefined {
    const at = this.now();
    if (at - session.createdAt >= this.limits.maxMs) return "expired";
    if (at - session.lastSeenAt >= this.limits.idleMs) return "idle";
    return undefined;
  }

  private drop(session: Session, reason: EndReason): void {
    this.sessions.delete(session.id);
    this.onEnd(session, reason);
  }

  private evictLeastRecent(): void {
    let oldest: Session | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.lastSeenAt < oldest.lastSeenAt) oldest = s;
    if (oldest) this.drop(oldest, "idle");
  }
}
