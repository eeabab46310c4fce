import { describe, expect, it } from "vitest";
import type { FactHeader } from "../facts/fact";
import { Follower, LiveBatch, type LiveSink } from "./follower";
import type { LiveFact } from "./tail";

const live = (ser: number, payload = "{}"): LiveFact => {
  const header: FactHeader = { id: `00000000-0000-0000-0000-${String(ser).padStart(12, "0")}`, ns: "n" };
  return { fact: { ser: BigInt(ser), header: JSON.stringify(header), payload }, header };
};
const batchOf = (...sers: number[]) => new LiveBatch(sers.map((s) => live(s)));
const serials = (batches: unknown) => (batches as LiveBatch[]).flatMap((b) => b.facts.map((f) => Number(f.ser)));
const never = new AbortController().signal;

describe("a live follower's inbox", () => {
  it("queues the tail's batches as they are (shared, not copied) and hands them out in order", async () => {
    const follower = new Follower([], 0n);
    const a = batchOf(1, 2);
    const b = batchOf(5);
    follower.offer(a);
    follower.offer(b);
    expect(follower.backlog().count).toBe(3);
    expect(follower.backlog().oldest?.fact.ser).toBe(1n);
    const taken = await follower.take(1_000, never);
    expect(taken).toEqual([a, b]);
    expect((taken as LiveBatch[])[0]).toBe(a);
    expect(follower.backlog().count).toBe(0);
  });

  it("drops what it already has and keeps only the later part of a batch that straddles its position", async () => {
    const follower = new Follower([], 3n);
    follower.offer(batchOf(1, 2, 3));
    follower.offer(batchOf(2, 4, 6));
    follower.offer(batchOf(5, 6));
    follower.offer(batchOf(7));
    expect(serials(await follower.take(1_000, never))).toEqual([4, 6, 7]);
    expect(follower.position).toBe(7n);
  });

  it("is cut off past 10,000 queued facts, holding none of them any more", async () => {
    const follower = new Follower([], 0n);
    for (let ser = 1; ser <= 10_001; ser += 1_000) {
      follower.offer(new LiveBatch(Array.from({ length: 1_000 }, (_, i) => live(ser + i))));
    }
    expect(await follower.take(1_000, never)).toBe("overflow");
    expect(follower.backlog()).toEqual({ count: 0, oldest: undefined });
    // Later facts are not queued either: its subscription reads from the database and attaches anew.
    follower.offer(batchOf(20_000));
    expect(await follower.take(1_000, never)).toBe("overflow");
  });

  it("is cut off past 32 MB queued, however few facts that is", async () => {
    const follower = new Follower([], 0n);
    const mb = "x".repeat(1024 * 1024);
    for (let ser = 1; ser <= 33; ser++) follower.offer(new LiveBatch([live(ser, mb)]));
    expect(await follower.take(1_000, never)).toBe("overflow");
  });

  it("wakes a waiting take when a batch comes, and times out with nothing", async () => {
    const follower = new Follower([], 0n);
    const waiting = follower.take(60_000, never);
    follower.offer(batchOf(1));
    expect(serials(await waiting)).toEqual([1]);
    expect(await follower.take(10, never)).toBe("timeout");
    follower.close();
    expect(await follower.take(60_000, never)).toBe("closed");
  });

  it("joins batches in order for a delivery stage, and a single batch stays itself", () => {
    const a = batchOf(1, 2);
    expect(LiveBatch.join([a])).toBe(a);
    const joined = LiveBatch.join([a, batchOf(3)]);
    expect(joined.facts.map((f) => f.ser)).toEqual([1n, 2n, 3n]);
    expect(joined.headers.map((h) => h.id)).toEqual(joined.facts.map((f) => (JSON.parse(f.header) as FactHeader).id));
    expect(joined.size).toBe(a.size + batchOf(3).size);
  });
});

/** A stream that takes `room` writes before asking for a drain, recording what was written. */
function fakeStream(room: number) {
  const written: number[] = [];
  let resume: (() => void) | undefined;
  const sink: LiveSink = {
    write: (batch) => {
      written.push(...batch.facts.map((f) => Number(f.ser)));
      return --room > 0;
    },
    onDrain: (next) => {
      expect(resume).toBeUndefined();
      resume = next;
    },
  };
  const drain = (more: number) => {
    room = more;
    const next = resume;
    resume = undefined;
    next?.();
  };
  return { sink, written, drain };
}

describe("a live follower writing into its stream itself", () => {
  it("writes each offered batch in the tail's tick, after what was queued before it went direct", async () => {
    const follower = new Follower([], 0n);
    follower.offer(batchOf(1, 2));
    const stream = fakeStream(100);
    follower.direct(stream.sink, 0n);
    expect(stream.written).toEqual([1, 2]);
    follower.offer(batchOf(2, 3));
    expect(stream.written).toEqual([1, 2, 3]);
    expect(follower.writtenTo()).toBe(3n);
    expect(follower.backlog().count).toBe(0);
    // Facts went out during the wait: no keepalive is due for it, so take waits on and ends with the follow.
    const waiting = follower.take(20, never);
    const writer = setInterval(() => follower.offer(batchOf(Number(follower.position) + 1)), 5);
    await new Promise((resolve) => setTimeout(resolve, 60));
    clearInterval(writer);
    follower.close();
    expect(await waiting).toBe("closed");
  });

  it("says timeout after an interval with nothing written (the subscription's keepalive)", async () => {
    const follower = new Follower([], 0n);
    follower.direct(fakeStream(100).sink, 0n);
    expect(await follower.take(10, never)).toBe("timeout");
  });

  it("queues while the stream is full and writes the queue in order when it drains", () => {
    const follower = new Follower([], 0n);
    const stream = fakeStream(1);
    follower.direct(stream.sink, 0n);
    follower.offer(batchOf(1));
    follower.offer(batchOf(2));
    follower.offer(batchOf(3, 4));
    expect(stream.written).toEqual([1]);
    expect(follower.backlog()).toMatchObject({ count: 3, oldest: { fact: { ser: 2n } } });
    stream.drain(1);
    expect(stream.written).toEqual([1, 2]);
    stream.drain(100);
    expect(stream.written).toEqual([1, 2, 3, 4]);
    expect(follower.backlog().count).toBe(0);
    follower.offer(batchOf(5));
    expect(stream.written).toEqual([1, 2, 3, 4, 5]);
  });

  it("is cut off when a full stream lets more than the bound queue, and says how far it wrote", async () => {
    const follower = new Follower([], 0n);
    const stream = fakeStream(1);
    follower.direct(stream.sink, 0n);
    follower.offer(batchOf(1));
    for (let ser = 2; ser <= 10_002; ser += 1_000) {
      follower.offer(new LiveBatch(Array.from({ length: 1_000 }, (_, i) => live(ser + i))));
    }
    expect(await follower.take(60_000, never)).toBe("overflow");
    expect(follower.writtenTo()).toBe(1n);
    expect(follower.backlog().count).toBe(0);
    stream.drain(100);
    follower.offer(batchOf(20_000));
    expect(stream.written).toEqual([1]);
  });

  it("on an outage error writes what it queued before ending the follow with the error", async () => {
    const follower = new Follower([], 0n);
    const stream = fakeStream(1);
    follower.direct(stream.sink, 0n);
    follower.offer(batchOf(1));
    follower.offer(batchOf(2, 3));
    const outage = new Error("the store could not read new facts");
    follower.fail(outage);
    expect(stream.written).toEqual([1, 2, 3]);
    expect(await follower.take(60_000, never)).toBe(outage);
  });
});
