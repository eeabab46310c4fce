import { describe, expect, it, vi } from "vitest";
import { isSecureRequest, seal, sessionCookie, signInFlowCookie, unseal } from "./cookies";

const SECRET = "a".repeat(32) + "-test-secret";

describe("session cookie options", () => {
  it("are HttpOnly, SameSite=Lax, for the whole console, and live as long as a session may", () => {
    expect(sessionCookie(false, 43_200)).toEqual({
      name: "factline-session",
      options: { httpOnly: true, sameSite: "lax", secure: false, path: "/", maxAge: 43_200 },
    });
  });

  it("are Secure with the __Host- prefix behind https", () => {
    const spec = sessionCookie(true, 60);
    expect(spec.name).toBe("__Host-factline-session");
    expect(spec.options.secure).toBe(true);
    expect(signInFlowCookie(true)).toMatchObject({
      name: "__Host-factline-sign-in",
      options: { secure: true, maxAge: 600 },
    });
  });

  it("know https from FACTLINE_CONSOLE_URL first, else from the proxy's x-forwarded-proto", () => {
    expect(isSecureRequest(new URL("https://c.example"), null)).toBe(true);
    expect(isSecureRequest(new URL("http://c.example"), "https")).toBe(false);
    expect(isSecureRequest(undefined, "https")).toBe(true);
    expect(isSecureRequest(undefined, "https, http")).toBe(true);
    expect(isSecureRequest(undefined, "http")).toBe(false);
    expect(isSecureRequest(undefined, null)).toBe(false);
  });
});

describe("sealed cookie values", () => {
  it("come back as sealed", async () => {
    const sealed = await seal({ sid: "abc" }, SECRET, 60);
    expect(sealed).not.toContain("abc");
    expect(await unseal(sealed, SECRET, 60)).toEqual({ sid: "abc" });
  });

  it("are nothing when forged, tampered with, sealed with another secret or expired", async () => {
    const sealed = await seal({ sid: "abc" }, SECRET, 60);
    const flipped = sealed.slice(0, 40) + (sealed[40] === "A" ? "B" : "A") + sealed.slice(41);
    expect(await unseal(flipped, SECRET, 60)).toBeUndefined();
    expect(await unseal(sealed, "b".repeat(40), 60)).toBeUndefined();
    expect(await unseal("Fe26.2*1*forged", SECRET, 60)).toBeUndefined();
    expect(await unseal("", SECRET, 60)).toBeUndefined();
    expect(await unseal(undefined, SECRET, 60)).toBeUndefined();
    expect(await unseal("x".repeat(10_000), SECRET, 60)).toBeUndefined();
    vi.useFakeTimers({ now: Date.now() + 3 * 60_000 });
    try {
      expect(await unseal(sealed, SECRET, 60)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
