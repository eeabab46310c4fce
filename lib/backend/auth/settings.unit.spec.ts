import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SESSION_SECRET_FILE, sessionSecret } from "./session-secret";
import { checkOpenConsoleHost, ConsoleConfigError, isLoopbackHost, readAuthSettings } from "./settings";
import { checkConsoleSettings } from "./startup";

describe("FACTLINE_CONSOLE_AUTH", () => {
  it("is store, oidc, none, or unset (decided by the store)", () => {
    expect(readAuthSettings({}).mode).toBe("auto");
    expect(readAuthSettings({ FACTLINE_CONSOLE_AUTH: "store" }).mode).toBe("store");
    expect(readAuthSettings({ FACTLINE_CONSOLE_AUTH: " none " }).mode).toBe("none");
    expect(() => readAuthSettings({ FACTLINE_CONSOLE_AUTH: "ldap" })).toThrow(
      /FACTLINE_CONSOLE_AUTH must be one of store, oidc, none \(or unset\), got "ldap"/,
    );
  });

  it("none is refused on any address others can reach, with what to do", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
      expect(isLoopbackHost(host)).toBe(true);
      expect(() => checkOpenConsoleHost("none", host)).not.toThrow();
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "console.example.com", "128.0.0.1"]) {
      expect(() => checkOpenConsoleHost("none", host)).toThrow(
        /allowed only while the console listens on a loopback address/,
      );
      expect(() => checkConsoleSettings({ FACTLINE_CONSOLE_AUTH: "none", HOST: host })).toThrow(ConsoleConfigError);
    }
    expect(() => checkOpenConsoleHost("store", "0.0.0.0")).not.toThrow();
  });

  it("oidc needs the issuer and the console's client, and https unless the provider is on this machine", () => {
    expect(() => readAuthSettings({ FACTLINE_CONSOLE_AUTH: "oidc" })).toThrow(
      /needs FACTLINE_OIDC_ISSUER, FACTLINE_OIDC_CLIENT_ID, FACTLINE_OIDC_CLIENT_SECRET/,
    );
    const oidc = {
      FACTLINE_CONSOLE_AUTH: "oidc",
      FACTLINE_OIDC_CLIENT_ID: "console",
      FACTLINE_OIDC_CLIENT_SECRET: "s",
    };
    expect(() => readAuthSettings({ ...oidc, FACTLINE_OIDC_ISSUER: "http://idp.example.com" })).toThrow(
      /must use https/,
    );
    expect(() => readAuthSettings({ ...oidc, FACTLINE_OIDC_ISSUER: "not a url" })).toThrow(/must be the issuer's URL/);
    expect(readAuthSettings({ ...oidc, FACTLINE_OIDC_ISSUER: "http://127.0.0.1:4000" }).oidc?.issuer.host).toBe(
      "127.0.0.1:4000",
    );
    expect(readAuthSettings({ ...oidc, FACTLINE_OIDC_ISSUER: "https://idp.example.com/realms/x" }).oidc?.clientId).toBe(
      "console",
    );
  });
});

describe("the other sign-in settings", () => {
  it("FACTLINE_CONSOLE_URL is an origin", () => {
    expect(readAuthSettings({ FACTLINE_CONSOLE_URL: "https://console.example.com" }).publicOrigin?.origin).toBe(
      "https://console.example.com",
    );
    for (const bad of [
      "console.example.com",
      "ftp://x",
      "https://c.example/sub",
      "https://u:p@c.example",
      "https://c.example/?a",
    ]) {
      expect(() => readAuthSettings({ FACTLINE_CONSOLE_URL: bad })).toThrow(/FACTLINE_CONSOLE_URL/);
    }
  });

  it("FACTLINE_SESSION_SECRET has at least 32 characters", () => {
    expect(() => readAuthSettings({ FACTLINE_SESSION_SECRET: "short" })).toThrow(/at least 32 characters/);
    expect(readAuthSettings({ FACTLINE_SESSION_SECRET: "x".repeat(32) }).sessionSecret).toBe("x".repeat(32));
  });

  it("session lifetimes are whole seconds within bounds, idle not above the maximum", () => {
    expect(readAuthSettings({})).toMatchObject({ idleSeconds: 1800, maxSeconds: 43_200 });
    expect(readAuthSettings({ FACTLINE_SESSION_IDLE_SECONDS: "600" }).idleSeconds).toBe(600);
    for (const bad of ["0", "59", "1.5", "-60", "ten", "99999999"]) {
      expect(() => readAuthSettings({ FACTLINE_SESSION_IDLE_SECONDS: bad })).toThrow(
        /FACTLINE_SESSION_IDLE_SECONDS must be/,
      );
    }
    expect(() =>
      readAuthSettings({ FACTLINE_SESSION_IDLE_SECONDS: "7200", FACTLINE_SESSION_MAX_SECONDS: "3600" }),
    ).toThrow(/cannot exceed/);
  });
});

describe("the session secret", () => {
  it("is made once into the data directory, readable by its owner only, and kept", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "factline-secret-"));
    const first = sessionSecret({ dataDir });
    const file = path.join(dataDir, SESSION_SECRET_FILE);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(sessionSecret({ dataDir })).toBe(first);
    expect(sessionSecret({ dataDir, sessionSecret: "y".repeat(40) })).toBe("y".repeat(40));
  });

  it("is tightened to 0600 when found readable by others, and refused when too short", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "factline-secret-"));
    const file = path.join(dataDir, SESSION_SECRET_FILE);
    writeFileSync(file, "z".repeat(40));
    chmodSync(file, 0o644);
    expect(sessionSecret({ dataDir })).toBe("z".repeat(40));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, "short");
    expect(() => sessionSecret({ dataDir })).toThrow(/shorter than 32 characters: delete it/);
    expect(readFileSync(file, "utf8")).toBe("short");
  });
});
