import { createRouterTransport } from "@connectrpc/connect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";
import { createUpstream, DEFAULT_STORE_URL } from "./upstream";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("upstream", () => {
  it("identifies the console to the store with fc-id, and sends Basic credentials only when set", async () => {
    const store = new FakeStore();
    await consoleFor(store).client.getStoreStatus({});
    expect(store.lastHeaders.get("fc-id")).toBe("factline-console");
    expect(store.lastHeaders.get("authorization")).toBeNull();

    await consoleFor(store, { user: "ops", password: "s3cret:x" }).client.getStoreStatus({});
    expect(store.lastHeaders.get("authorization")).toBe(`Basic ${Buffer.from("ops:s3cret:x").toString("base64")}`);
  });

  it("reads FACTLINE_STORE_URL, defaulting to the local store, and shows it without credentials", () => {
    vi.stubEnv("FACTLINE_STORE_URL", "");
    expect(createUpstream().url).toBe(DEFAULT_STORE_URL);
    vi.stubEnv("FACTLINE_STORE_URL", "https://ops:pw@factcast.internal:9443/");
    expect(createUpstream().url).toBe("https://factcast.internal:9443");
  });

  it("warns once in the console's log when credentials would reach the store in plaintext", () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    const transport = createRouterTransport(() => {});
    const upstream = createUpstream({ url: "http://store.internal:9090", user: "console", password: "pw", transport });
    upstream.withCredentials({ user: "alice", password: "a" });
    createUpstream({ url: "https://store.internal:9443", user: "console", password: "pw", transport });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^\S+ warn console: credentials for http:\/\/store\.internal:9090 go over plaintext HTTP\/2 \(http:\/\/\): .* connect with https:\/\/\n$/,
    );
  });

  it("trusts the CA in FACTLINE_TLS_CA, and says when it cannot be read", () => {
    vi.stubEnv("FACTLINE_STORE_URL", "https://store.internal:9443");
    vi.stubEnv("FACTLINE_TLS_CA", "/nonexistent/ca.pem");
    expect(() => createUpstream()).toThrow("cannot read the CA certificate file /nonexistent/ca.pem (ENOENT)");
  });
});
