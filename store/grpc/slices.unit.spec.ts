import { setImmediate as turn } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { inSlice } from "./slices";

// store/grpc/slices.ts: SLICE_TASKS (50) a turn, the rest in later turns, round-robin over connections.
describe("the front door's work in slices", () => {
  // The slices are the process's own: a test starts once the previous one's have all run.
  beforeEach(async () => {
    for (let i = 0; i < 10; i++) await turn();
  });

  it("runs a burst's first 50 tasks at once and the rest in later event-loop turns, in order", async () => {
    const ran: number[] = [];
    const conn = {};
    for (let i = 0; i < 120; i++) inSlice(conn, () => ran.push(i));
    expect(ran).toHaveLength(50);
    await turn();
    expect(ran).toHaveLength(100);
    await turn();
    expect(ran).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it("takes waiting connections in turn, so one connection's burst does not hold back another's task", async () => {
    const ran: string[] = [];
    const busy = {};
    const other = {};
    for (let i = 0; i < 200; i++) inSlice(busy, () => ran.push("busy"));
    inSlice(other, () => ran.push("other"));
    await turn();
    // The first slice ran 50 at once, the next takes `other` second, not after the 150 waiting before it.
    expect(ran.indexOf("other")).toBe(51);
    await turn();
    await turn();
    await turn();
    expect(ran).toHaveLength(201);
  });

  it("goes on with the rest when a task throws", async () => {
    const ran: number[] = [];
    const conn = {};
    for (let i = 0; i < 60; i++)
      inSlice(conn, () => {
        if (i === 55) throw new Error("boom");
        ran.push(i);
      });
    await turn();
    await turn();
    expect(ran).toHaveLength(59);
  });

  it("runs a lone task at once", () => {
    let ran = false;
    inSlice({}, () => (ran = true));
    expect(ran).toBe(true);
  });
});
