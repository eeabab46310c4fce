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
