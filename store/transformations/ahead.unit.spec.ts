// The delivery stage one chunk ahead: chunks come out in order, the next one is read and delivered
// while the current one is with the consumer (never more than one), a failure of the chunk ahead is
// reported when the consumer asks for it (after everything before it), and close() waits for it.
import { describe, expect, it } from "vitest";
import type { StoredFact } from "../facts/fact";
import { DeliveredAhead } from "./ahead";

const facts = (...sers: number[]): StoredFact[] =>
  sers.map((s) => ({ ser: BigInt(s), header: `{"id":"${s}"}`, payload: `{"n":${s}}` }));

function reader(chunks: StoredFact[][]) {
  let reads = 0;
  return {
    read: async () => chunks[reads++] ?? [],
    reads: () => reads,
  };
}

describe("DeliveredAhead", () => {
  it("delivers chunks in order, starting the next one before the consumer asks for it", async () => {
    const source = reader([facts(1, 2), facts(3), facts(4, 5)]);
    const delivered: number[][] = [];
    const chunks = new DeliveredAhead(
      source.read,
      async (read) => {
        delivered.push(read.map((f) => Number(f.ser)));
        return read.filter((f) => f.ser !== 3n);
      },
      new AbortController().signal,
    );
    const first = await chunks.next();
    expect(first.delivered.map((f) => f.ser)).toEqual([1n, 2n]);
    await new Promise((r) => setTimeout(r, 10));
    // the second chunk was read and delivered meanwhile; the third waits for the consumer
    expect(delivered).toEqual([[1, 2], [3]]);
    expect(source.reads()).toBe(2);
    const second = await chunks.next();
    expect(second.read.map((f) => f.ser)).toEqual([3n]);
    expect(second.delivered).toEqual([]);
    expect((await chunks.next()).delivered.map((f) => f.ser)).toEqual([4n, 5n]);
    expect((await chunks.next()).read).toEqual([]);
    await chunks.close();
    expect(source.reads()).toBe(4);
  });

  it("reports a failure of the chunk ahead only when that chunk is asked for", async () => {
    const source = reader([facts(1), facts(2)]);
    const chunks = new DeliveredAhead(
      source.read,
      async (read) => {
        if (read[0].ser === 2n) throw new Error("cannot transform fact 2");
        return read;
      },
      new AbortController().signal,
    );
    expect((await chunks.next()).delivered.map((f) => f.ser)).toEqual([1n]);
    await new Promise((r) => setTimeout(r, 10)); // it failed meanwhile, and no rejection went unhandled
    await expect(chunks.next()).rejects.toThrow("cannot transform fact 2");
    await chunks.close();
  });

  it("close() waits for the chunk in flight and starts no other", async () => {
    let release = () => {};
    const source = reader([facts(1), facts(2), facts(3)]);
    let finished = false;
    const chunks = new DeliveredAhead(
      source.read,
      async (read) => {
        if (read[0].ser === 2n) {
          await new Promise<void>((r) => (release = r));
          finished = true;
        }
        return read;
      },
      new AbortController().signal,
    );
    await chunks.next();
    const closing = chunks.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(finished).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
    expect(source.reads()).toBe(2);
  });
});
