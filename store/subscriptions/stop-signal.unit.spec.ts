import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { stopSignal } from "./stop-signal";

describe("stopSignal", () => {
  it("aborts with the reason of whichever source aborts first, and lets go of both", () => {
    for (const first of [0, 1]) {
      const sources = [new AbortController(), new AbortController()];
      const stop = stopSignal(sources[0].signal, sources[1].signal);
      expect(stop.signal.aborted).toBe(false);
      sources[first].abort(`source ${first}`);
      expect(stop.signal.aborted).toBe(true);
      expect(stop.signal.reason).toBe(`source ${first}`);
      for (const s of sources) expect(getEventListeners(s.signal, "abort")).toHaveLength(0);
    }
  });

  it("is aborted already when a source was", () => {
    const shutdown = new AbortController();
    shutdown.abort("stopping");
    const call = new AbortController();
    const stop = stopSignal(call.signal, shutdown.signal);
    expect(stop.signal.reason).toBe("stopping");
    expect(getEventListeners(call.signal, "abort")).toHaveLength(0);
  });

  it("holds nothing on its sources once released, and is not aborted by them afterwards", () => {
    const call = new AbortController();
    const shutdown = new AbortController();
    const stop = stopSignal(call.signal, shutdown.signal);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(1);
    stop.release();
    stop.release();
    expect(getEventListeners(call.signal, "abort")).toHaveLength(0);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    shutdown.abort();
    expect(stop.signal.aborted).toBe(false);
  });
});
