import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { retryDelay, shouldRetry } from "./query-client";

describe("retry policy", () => {
  it("retries a store that is restarting, a few times, with growing pauses", () => {
    const down = new ConnectError("store unreachable", Code.Unavailable);
    expect([0, 1, 2, 3].map((n) => shouldRetry(n, down))).toEqual([true, true, true, false]);
    expect([0, 1, 2, 3, 4].map(retryDelay)).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  it("does not retry what would fail again", () => {
    for (const code of [
      Code.InvalidArgument,
      Code.NotFound,
      Code.PermissionDenied,
      Code.Unauthenticated,
      Code.FailedPrecondition,
      Code.Unimplemented,
    ]) {
      expect(shouldRetry(0, new ConnectError("no", code))).toBe(false);
    }
  });
});
