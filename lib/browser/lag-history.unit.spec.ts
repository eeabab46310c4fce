import { describe, expect, it } from "vitest";
import { LagHistory, MAX_SAMPLES, MAX_TRACKED, padSamples, STORAGE_KEY } from "./lag-history";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe("LagHistory", () => {
  it("keeps one sample per heartbeat, however often the page asks", () => {
    const h = LagHistory.load(undefined);
    h.record("a", 1_000, 5);
    h.record("a", 1_000, 5);
    h.record("a", 900, 99); // an older answer arriving late
    h.record("a", 3_000, 8);
    expect(h.samples("a")).toEqual([5, 8]);
    expect(h.samples("unknown")).toEqual([]);
  });

  it("keeps the last samples only", () => {
    const h = LagHistory.load(undefined);
    for (let i = 1; i <= MAX_SAMPLES + 5; i++) h.record("a", i, i);
    expect(h.samples("a")).toHaveLength(MAX_SAMPLES);
    expect(h.samples("a")[0]).toBe(6);
  });

  it("forgets the least recently seen subscriptions beyond its cap", () => {
    const h = LagHistory.load(undefined);
    for (let i = 0; i < MAX_TRACKED; i++) h.record(`s${i}`, 1, i);
    h.record("s0", 2, 0); // seen again: now the most recent
    h.record("new", 1, 1);
    expect(h.samples("s0")).toEqual([0, 0]);
    expect(h.samples("s1")).toEqual([]);
    expect(h.samples("new")).toEqual([1]);
  });

  it("survives a reload of the tab through its storage", () => {
    const storage = new MemoryStorage();
    const first = LagHistory.load(storage);
    first.record("a", 1, 3);
    first.record("a", 2, 4);
    first.save();
    const second = LagHistory.load(storage);
    expect(second.samples("a")).toEqual([3, 4]);
    second.record("a", 2, 100);
    expect(second.samples("a")).toEqual([3, 4]);
  });

  it("starts over on storage it cannot read", () => {
    for (const junk of ["not json", "[1,2]", '{"a":{"at":"x","lags":[1]}}', '{"a":{"at":1,"lags":[1,"x",-2,null]}}']) {
      const storage = new MemoryStorage();
      storage.setItem(STORAGE_KEY, junk);
      const h = LagHistory.load(storage);
      expect(h.samples("a")).toEqual(junk.includes('"at":1') ? [1] : []);
    }
    const throwing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    const h = LagHistory.load(throwing);
    h.record("a", 1, 1);
    expect(() => h.save()).not.toThrow();
  });

  it("pads samples on the left so every sparkline shares one time scale", () => {
    expect(padSamples([1, 2], 4)).toEqual([0, 0, 1, 2]);
    expect(padSamples([1, 2, 3, 4, 5], 3)).toEqual([3, 4, 5]);
  });
});
