import { afterEach, describe, expect, it, vi } from "vitest";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";
import { createUpstream, DEFAULT_STORE_URL } from "./upstream";

afterEach(() => {
  vi.unstubAllEnvs();
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
});
