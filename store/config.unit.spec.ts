import { describe, expect, it } from "vitest";
import { ConfigError, loadStoreConfig } from "./config";

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

describe("sandbox and filter-script settings", () => {
  it("default to filter scripts on, two workers, 1 s and 128 MB per call", () => {
    const config = loadStoreConfig(env({}));
    expect(config.filterScripts).toBe(true);
    expect(config.sandbox).toEqual({ workers: 2, timeMs: 1000, memoryBytes: 128 * 1024 * 1024 });
  });
  it("read FACTLINE_FILTER_SCRIPTS and the FACTLINE_SANDBOX_* variables", () => {
    const config = loadStoreConfig(
      env({
        FACTLINE_FILTER_SCRIPTS: "off",
        FACTLINE_SANDBOX_WORKERS: "4",
        FACTLINE_SANDBOX_TIME_MS: "250",
        FACTLINE_SANDBOX_MEMORY_MB: "64",
      }),
    );
    expect(config.filterScripts).toBe(false);
    expect(config.sandbox).toEqual({ workers: 4, timeMs: 250, memoryBytes: 64 * 1024 * 1024 });
  });
  it.each([
    ["FACTLINE_FILTER_SCRIPTS", "maybe", /FACTLINE_FILTER_SCRIPTS must be on or off, got "maybe"/],
    ["FACTLINE_SANDBOX_WORKERS", "0", /FACTLINE_SANDBOX_WORKERS must be a whole number from 1 to 64, got "0"/],
    ["FACTLINE_SANDBOX_TIME_MS", "1.5", /FACTLINE_SANDBOX_TIME_MS must be a whole number/],
    ["FACTLINE_SANDBOX_MEMORY_MB", "8", /FACTLINE_SANDBOX_MEMORY_MB must be a whole number from 32 to 4096/],
  ])("refuse %s=%s, saying what is allowed", (name, value, message) => {
    expect(() => loadStoreConfig(env({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadStoreConfig(env({ [name]: value }))).toThrow(message);
  });
});

describe("HTTP port, heartbeat and log settings", () => {
  it("default to port 9091 with nothing open, a 2 s heartbeat, info level", () => {
    const config = loadStoreConfig(env({}));
    expect(config.http.port).toBe(9091);
    expect([...config.http.open]).toEqual([]);
    expect(config.heartbeatMs).toBe(2000);
    expect(config.log.level).toBe("info");
  });
  it("read FACTLINE_HTTP_OPEN as a list of metrics and health, in any case and spacing", () => {
    expect([...loadStoreConfig(env({ FACTLINE_HTTP_OPEN: " Health , metrics " })).http.open].sort()).toEqual([
      "health",
      "metrics",
    ]);
    expect([...loadStoreConfig(env({ FACTLINE_HTTP_OPEN: "none" })).http.open]).toEqual([]);
    expect(loadStoreConfig(env({ FACTLINE_HTTP_PORT: "0" })).http.port).toBe(0);
    expect(loadStoreConfig(env({ FACTLINE_LOG: "SILENT" })).log.level).toBe("silent");
  });
  it.each([
    ["FACTLINE_HTTP_OPEN", "metrics,", /FACTLINE_HTTP_OPEN must list/],
    ["FACTLINE_HTTP_OPEN", "all", /metrics, health, both \("metrics,health"\) or none; got "all"/],
    ["FACTLINE_HTTP_PORT", "-1", /FACTLINE_HTTP_PORT must be a whole number from 0 to 65535/],
    ["FACTLINE_LOG", "verbose", /FACTLINE_LOG must be one of debug, info, warn, error, silent/],
    ["FACTLINE_LOG_FORMAT", "text", /FACTLINE_LOG_FORMAT must be json or pretty/],
    ["FACTLINE_HEARTBEAT_MS", "60001", /FACTLINE_HEARTBEAT_MS must be a whole number from 100 to 60000/],
  ])("refuse %s=%s, saying what is allowed", (name, value, message) => {
    expect(() => loadStoreConfig(env({ [name]: value }))).toThrow(message);
  });
});

describe("read replicas (FACTLINE_READ_URLS)", () => {
  it("default to none, with 10 connections per replica", () => {
    expect(loadStoreConfig(env({})).replicas).toEqual({ urls: [], poolSize: 10 });
  });
  it("read a comma-separated list in order, spaces around entries ignored, and the pool size", () => {
    const config = loadStoreConfig(
      env({
        FACTLINE_READ_URLS: " postgres://r:pw@replica-1:5432/store , postgresql://replica-2/store",
        FACTLINE_READ_POOL_SIZE: "4",
      }),
    );
    expect(config.replicas).toEqual({
      urls: ["postgres://r:pw@replica-1:5432/store", "postgresql://replica-2/store"],
      poolSize: 4,
    });
  });
  it.each([
    ["postgres://a/db,,postgres://b/db", /FACTLINE_READ_URLS entry 2 of 3 is empty/],
    ["postgres://a/db,", /FACTLINE_READ_URLS entry 2 of 2 is empty/],
    ["replica-1:5432", /entry 1 of 1 \("replica-1:5432"\) must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ["http://u:secret@replica/db", /entry 1 of 1 \("http:\/\/u:\*\*\*@replica\/db"\) must be a postgres/],
    ["not a url at all", /entry 1 of 1 \("not a url at all"\) is not a URL/],
    ["postgres:///db", /entry 1 of 1 \("postgres:\/\/\/db"\) names no host/],
    ["postgres://a/db,postgres://a/db", /entry 2 of 2 \("postgres:\/\/a\/db"\) is listed twice/],
  ])("refuse %s, naming the entry", (value, message) => {
    expect(() => loadStoreConfig(env({ FACTLINE_READ_URLS: value }))).toThrow(ConfigError);
    expect(() => loadStoreConfig(env({ FACTLINE_READ_URLS: value }))).toThrow(message);
  });
  it("never show a password in an error, even in a URL that does not parse", () => {
    for (const value of ["postgres://u:hunter2@host:99999/db", "postgres://u:hunter2@[bad/db", "x://u:hunter2@h/db"]) {
      let message = "";
      try {
        loadStoreConfig(env({ FACTLINE_READ_URLS: value }));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, value).toMatch(/FACTLINE_READ_URLS entry 1 of 1/);
      expect(message, value).not.toContain("hunter2");
    }
  });
  it("refuse a pool size below two", () => {
    expect(() => loadStoreConfig(env({ FACTLINE_READ_POOL_SIZE: "1" }))).toThrow(
      /FACTLINE_READ_POOL_SIZE must be a whole number from 2 to 500, got "1"/,
    );
  });
});
