// Sign-in attempts are limited per account and per address (rate-limiter-flexible, in memory), so
// guessing one account's password and trying one password on many accounts are both slow. Every
// attempt takes a point before the store is asked (parallel guesses cannot overtake the count);
// a successful one gives it back, so only failures accumulate.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Five wrong passwords for one account within 15 minutes lock that account's sign-in for the rest
 * of the window: a person mistyping gets several tries, a guesser about 500 a day. The lock also
 * hits the real user while someone guesses: the price of counting per account at all (the store's
 * own limits and the audit trail show who).
 */
export const ACCOUNT_FAILURES = 5;
/** One address may fail 20 times in 15 minutes, over any accounts: spraying one password across accounts stalls. */
export const ADDRESS_FAILURES = 20;
export const WINDOW_SECONDS = 15 * 60;

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; why: "account" | "address" };

export class SignInLimiter {
  private readonly accounts = new RateLimiterMemory({
    keyPrefix: "account",
    points: ACCOUNT_FAILURES,
    duration: WINDOW_SECONDS,
  });
  private readonly addresses = new RateLimiterMemory({
    keyPrefix: "address",
    points: ADDRESS_FAILURES,
    duration: WINDOW_SECONDS,
  });

  /** Takes one point from the account and the address; refused when either has none left. */
  async attempt(account: string, address: string): Promise<Verdict> {
    try {
      await this.addresses.consume(address);
    } catch (res) {
      return refused(res, "address");
    }
    try {
      await this.accounts.consume(account);
    } catch (res) {
      // Only the account was over: the address keeps its point back, it did not really try.
      await this.addresses.reward(address);
      return refused(res, "account");
    }
    return { allowed: true };
  }

  /** The attempt could not be judged (the store was down): it does not count. */
  async refund(account: string, address: string): Promise<void> {
    await Promise.all([this.accounts.reward(account), this.addresses.reward(address)]);
  }

  /** The attempt succeeded: it does not count, and the account's earlier failures are forgiven. */
  async succeeded(account: string, address: string): Promise<void> {
    await Promise.all([this.accounts.delete(account), this.addresses.reward(address)]);
  }
}

function refused(res: unknown, why: "account" | "address"): Verdict {
  if (!(res instanceof RateLimiterRes)) throw res;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)), why };
}
