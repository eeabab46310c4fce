import { describe, expect, it } from "vitest";
import { MAX_SESSIONS, SessionStore, type EndReason } from "./sessions";

const MINUTE = 60_000;

function store() {
  let now = 1_000_000;
  const ended: [string, EndReason][] = [];
  const sessions = new SessionStore(
    { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE },
    (s, reason) => ended.push([s.account, reason]),
    () => now,
  );
  const alice = () =>
    sessions.create({ account: "alice", via: "basic", credentials: { user: "alice", password: "pw" } });
  return { sessions, ended, alice, advance: (ms: number) => (now += ms) };
}

describe("console sessions", () => {
  it("get unguessable ids and are found by them", () => {
    const { sessions, alice } = store();
    const a = alice();
    const b = alice();
    expect(a.id).toMatch(/^[\w-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(sessions.use(a.id)?.account).toBe("alice");
    expect(sessions.use("not-a-session")).toBeUndefined();
  });

  it("end after 30 idle minutes, and every request restarts that clock", () => {
    const { sessions, ended, alice, advance } = store();
    const s = alice();
    advance(29 * MINUTE);
    expect(sessions.use(s.id)).toBeDefined();
    advance(29 * MINUTE);
    expect(sessions.use(s.id)).toBeDefined();
    advance(30 * MINUTE);
    expect(sessions.use(s.id)).toBeUndefined();
    expect(ended).toEqual([["alice", "idle"]]);
  });

  it("end after 12 hours however busy", () => {
    const { sessions, ended, alice, advance } = store();
    const s = alice();
    for (let i = 0; i < 12 * 6 - 1; i++) {
      advance(10 * MINUTE);
      expect(sessions.use(s.id)).toBeDefined();
    }
    advance(10 * MINUTE);
    expect(sessions.use(s.id)).toBeUndefined();
    expect(ended).toEqual([["alice", "expired"]]);
  });

  it("are swept when nobody asks, so their end is recorded", () => {
    const { sessions, ended, alice, advance } = store();
    alice();
    advance(31 * MINUTE);
    sessions.sweep();
    expect(sessions.size).toBe(0);
    expect(ended).toEqual([["alice", "idle"]]);
  });

  it("end at once when signed out: the id no longer works", () => {
    const { sessions, ended, alice } = store();
    const s = alice();
    expect(sessions.end(s.id)?.account).toBe("alice");
    expect(sessions.use(s.id)).toBeUndefined();
    expect(ended).toEqual([]); // sign-out records itself (session-cookie.ts), not through onEnd
  });

  it(`are at most ${MAX_SESSIONS}: the least recently used one ends first`, () => {
    const { sessions, alice, advance } = store();
    const first = alice();
    advance(1);
    const second = alice();
    for (let i = 2; i < MAX_SESSIONS; i++) alice();
    advance(1);
    sessions.use(first.id);
    alice();
    expect(sessions.size).toBe(MAX_SESSIONS);
    expect(sessions.use(first.id)).toBeDefined();
    expect(sessions.use(second.id)).toBeUndefined();
  });
});
