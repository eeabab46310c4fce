import { describe, expect, it } from "vitest";
import { ACCOUNT_FAILURES, ADDRESS_FAILURES, SignInLimiter, WINDOW_SECONDS } from "./rate-limit";

describe("sign-in limits", () => {
  it(`lock an account after ${ACCOUNT_FAILURES} failures, saying how long`, async () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < ACCOUNT_FAILURES; i++)
      expect(await limiter.attempt("alice", `10.0.0.${i}`)).toEqual({ allowed: true });
    const verdict = await limiter.attempt("alice", "10.0.0.99");
    expect(verdict).toMatchObject({ allowed: false, why: "account" });
    if (!verdict.allowed) {
      expect(verdict.retryAfterSeconds).toBeGreaterThan(WINDOW_SECONDS - 5);
      expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(WINDOW_SECONDS);
    }
    // Other accounts are not affected.
    expect(await limiter.attempt("bob", "10.0.0.99")).toEqual({ allowed: true });
  });

  it(`lock an address after ${ADDRESS_FAILURES} failures over any accounts`, async () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < ADDRESS_FAILURES; i++)
      expect((await limiter.attempt(`user${i}`, "10.0.0.1")).allowed).toBe(true);
    expect(await limiter.attempt("fresh", "10.0.0.1")).toMatchObject({ allowed: false, why: "address" });
    expect((await limiter.attempt("fresh", "10.0.0.2")).allowed).toBe(true);
  });

  it("do not count successful sign-ins, and forgive the account's failures", async () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < ACCOUNT_FAILURES - 1; i++) await limiter.attempt("alice", "10.0.0.1");
    await limiter.attempt("alice", "10.0.0.1");
    await limiter.succeeded("alice", "10.0.0.1");
    for (let i = 0; i < ACCOUNT_FAILURES; i++) expect((await limiter.attempt("alice", "10.0.0.1")).allowed).toBe(true);
  });

  it("do not count attempts the store could not judge", async () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < ACCOUNT_FAILURES * 2; i++) {
      expect((await limiter.attempt("alice", "10.0.0.1")).allowed).toBe(true);
      await limiter.refund("alice", "10.0.0.1");
    }
  });

  it("count parallel guesses before any is answered", async () => {
    const limiter = new SignInLimiter();
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => limiter.attempt("alice", "10.0.0.1")));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(ACCOUNT_FAILURES);
  });
});
