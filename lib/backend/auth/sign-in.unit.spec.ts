import { describe, expect, it } from "vitest";
import { checkInput, MAX_PASSWORD_LENGTH, MAX_USER_LENGTH } from "./sign-in";

describe("the sign-in form's input", () => {
  it("says what is wrong before anything reaches the store", () => {
    expect(checkInput("", "pw")).toBe("Enter your user name.");
    expect(checkInput("   ", "pw")).toBe("Enter your user name.");
    expect(checkInput("alice", "")).toBe("Enter your password.");
    expect(checkInput("a".repeat(MAX_USER_LENGTH + 1), "pw")).toMatch(/at most 256 characters/);
    expect(checkInput("alice", "p".repeat(MAX_PASSWORD_LENGTH + 1))).toMatch(/at most 1024 characters/);
    expect(checkInput("al:ice", "pw")).toMatch(/cannot contain a colon/);
    expect(checkInput("al\nice", "pw")).toMatch(/control characters/);
    expect(checkInput("alice", "p\u0000w")).toMatch(/control characters/);
    expect(checkInput("alice", "pässwörd with spaces")).toBeUndefined();
  });
});
