import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";
import { IDLE_STOP_MS, SAMPLE_INTERVAL_MS, StoreRateSampler } from "./store-rate";

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A store whose newest serial the test moves; counts the reads. */
function counter() {
  const state = { serial: 100n, reads: 0, fail: false };
  const read = async () => {
    state.reads++;
    if (state.fail) throw new ConnectError("connection refused", Code.Unavailable);
    return state.serial;
  };
  return { state, sampler: new StoreRateSampler({ read }) };
}

describe("store rate sampler", () => {
  it("turns newest serials sampled every second into facts per second", async () => {
    const { state, sampler } = counter();
    const first = await sampler.snapshot();
    expect(first.samples).toEqual([]);
    expect(first.factsPerSecond).toBe(0);
    for (const added of [50n, 150n, 100n]) {
      state.serial += added;
      await vi.advanceTimersByTimeAsync(SAMPLE_INTERVAL_MS);
    }
    const snap = await sampler.snapshot();
    expect(snap.samples.map((s) => s.factsPerSecond)).toEqual([50, 150, 100]);
    expect(snap.factsPerSecond).toBe(100); // 300 facts over 3 s
    expect(snap.latestSerial).toBe(400n);
    sampler.stop();
  });

  it("keeps a minute of history", async () => {
    const { state, sampler } = counter();
    await sampler.snapshot();
    for (let i = 0; i < 90; i++) {
      state.serial += 10n;
      await vi.advanceTimersByTimeAsync(SAMPLE_INTERVAL_MS);
      if (i % 10 === 0) await sampler.snapshot(); // an open overview polls
    }
    const snap = await sampler.snapshot();
    expect(snap.samples).toHaveLength(60);
    expect(snap.factsPerSecond).toBe(10);
    sampler.stop();
  });

  it("stops asking the store once nobody asks, and starts afresh on the next call", async () => {
    const { state, sampler } = counter();
    await sampler.snapshot();
    await vi.advanceTimersByTimeAsync(IDLE_STOP_MS + 5 * SAMPLE_INTERVAL_MS);
    const reads = state.reads;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.reads).toBe(reads);
    const again = await sampler.snapshot();
    expect(again.samples).toEqual([]);
    expect(state.reads).toBe(reads + 1);
    sampler.stop();
  });

  it("fails with the store's error once its samples are stale", async () => {
    const { state, sampler } = counter();
    await sampler.snapshot();
    state.fail = true;
    await vi.advanceTimersByTimeAsync(SAMPLE_INTERVAL_MS);
    await expect(sampler.snapshot()).resolves.toBeDefined(); // one missed beat is not an outage
    await vi.advanceTimersByTimeAsync(10 * SAMPLE_INTERVAL_MS);
    await expect(sampler.snapshot()).rejects.toThrow(/connection refused/);
    sampler.stop();
  });
});

describe("GetStoreRate", () => {
  it("works against a plain FactCast server (latestSerial only), one sampler for all callers", async () => {
    const store = new FakeStore({ admin: false });
    const { client } = consoleFor(store);
    await client.getStoreRate({});
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 20; j++) store.publish({ ns: "shop", type: "Ticked" });
      await vi.advanceTimersByTimeAsync(SAMPLE_INTERVAL_MS);
    }
    const [a, b] = await Promise.all([client.getStoreRate({}), client.getStoreRate({})]);
    expect(a.factsPerSecond).toBe(20);
    expect(b.samples).toEqual(a.samples);
    expect(store.calls.filter((c) => c === "latestSerial")).toHaveLength(5);
    expect(store.calls.filter((c) => c.startsWith("admin."))).toEqual([]);
    // The sampler stops by itself once nobody asks.
    await vi.advanceTimersByTimeAsync(IDLE_STOP_MS + SAMPLE_INTERVAL_MS);
  });
});
