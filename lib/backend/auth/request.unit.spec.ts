import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SIGN_IN_HEADER } from "../../browser/transport";
import { seal, SESSION_COOKIE } from "./cookies";
import { clientAddress, endingRefusedSessions, identifyApiCall } from "./request";
import { authRuntime } from "./runtime";

const SECRET = "s".repeat(40);
const URL_ = "http://127.0.0.1:3000/api/factline.console.v1.ConsoleService/GetCatalog";

beforeAll(() => {
  // The process-wide runtime reads these once, on first use.
  vi.stubEnv("FACTLINE_CONSOLE_AUTH", "store");
  vi.stubEnv("FACTLINE_SESSION_SECRET", SECRET);
  vi.stubEnv("FACTLINE_STORE_URL", "http://127.0.0.1:1");
});
afterAll(() => vi.unstubAllEnvs());

async function cookieFor(sid: string): Promise<string> {
  return `${SESSION_COOKIE}=${await seal({ sid }, SECRET, 3600)}`;
}

function request(cookie?: string): Request {
  return new Request(URL_, { method: "POST", headers: cookie ? { cookie } : {} });
}

describe("an API call's caller", () => {
  it("is refused with unauthenticated and a sign-in pointer without a session", async () => {
    for (const cookie of [
      undefined,
      `${SESSION_COOKIE}=forged`,
      `${SESSION_COOKIE}=%E0%A4%A`,
      await cookieFor("no-such-session"),
    ]) {
      const res = await identifyApiCall(request(cookie));
      expect(res).toBeInstanceOf(Response);
      const refusal = res as Response;
      expect(refusal.status).toBe(401);
      expect(refusal.headers.get(SIGN_IN_HEADER)).toBe("/login");
      expect(await refusal.json()).toMatchObject({ code: "unauthenticated" });
    }
  });

  it("is the store as the session's user, with the browser's address forwarded", async () => {
    const session = authRuntime().sessions.create({
      account: "operator",
      via: "basic",
      credentials: { user: "operator", password: "pw" },
    });
    const caller = await identifyApiCall(
      new Request(URL_, {
        method: "POST",
        headers: { cookie: await cookieFor(session.id), "x-factline-peer": "203.0.113.9" },
      }),
    );
    expect(caller).not.toBeInstanceOf(Response);
    expect((caller as { user?: string }).user).toBe("operator");
  });

  it("loses its session when the store refuses its credentials", async () => {
    const session = authRuntime().sessions.create({
      account: "operator",
      via: "basic",
      credentials: { user: "operator", password: "changed" },
    });
    const cookie = await cookieFor(session.id);
    const refusedByStore = endingRefusedSessions(async () =>
      Response.json({ code: "unauthenticated", message: "wrong user or password" }, { status: 401 }),
    );
    const res = await refusedByStore(request(cookie));
    expect(res.status).toBe(401);
    expect(res.headers.get(SIGN_IN_HEADER)).toBe("/login");
    expect(((await res.json()) as { message: string }).message).toMatch(/no longer accepts the sign-in of operator/);
    expect(await identifyApiCall(request(cookie))).toBeInstanceOf(Response);
    // Answers that are not 401 pass untouched.
    const ok = endingRefusedSessions(async () => new Response("{}", { status: 200 }));
    expect((await ok(request(cookie))).status).toBe(200);
  });
});

describe("the browser's address", () => {
  it("is the connection's, unless that is a proxy on this machine", () => {
    const h = (entries: Record<string, string>) => new Headers(entries);
    expect(clientAddress(h({ "x-factline-peer": "198.51.100.4", "x-forwarded-for": "10.9.9.9" }))).toBe("198.51.100.4");
    expect(clientAddress(h({ "x-factline-peer": "127.0.0.1", "x-forwarded-for": "10.9.9.9, 198.51.100.5" }))).toBe(
      "198.51.100.5",
    );
    expect(clientAddress(h({ "x-factline-peer": "::ffff:127.0.0.1" }))).toBe("::ffff:127.0.0.1");
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.6" }))).toBe("198.51.100.6");
    expect(clientAddress(h({}))).toBe("unknown");
  });
});
