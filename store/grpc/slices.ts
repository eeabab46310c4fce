// The front door's work in slices. Calls opened together arrive together — one socket read of a
// connection carries hundreds of HEADERS frames, one poll phase the reads of every connection — and
// set their timers together (the body stall timeout, deadlines), so they also fall due together.
// Done as it came, 10,000 streams opened at once kept the event loop for ~1.2 s on an idle two-core
// CI machine both when they opened and when they stalled (7.7 s at a load of 15, profiled;
// tests/security/abuse.int.spec.ts), and every other caller, latestSerial included, waited behind
// them. Past SLICE_TASKS in one event-loop turn, starting and ending calls waits for the next slice
// (setImmediate, after the I/O that arrived meanwhile), taken round-robin over connections, so one
// connection's burst cannot hold back another connection's call.
import { log } from "../log";

// Starting or ending a call costs ~100–300 µs of the main thread on a quiet machine: 50 keep a
// slice (and its microtasks) to ~15 ms, and 10,000 calls still start or end within ~2 s.
const SLICE_TASKS = 50;

type Task = () => void;

class Slices {
  /** Tasks waiting, per connection (Map order: the connection that waited longest first). */
  private readonly waiting = new Map<object, Task[]>();
  private ranThisTurn = 0;
  private scheduled = false;
  private readonly onSlice = this.slice.bind(this);

  run(key: object, task: Task): void {
    if (this.waiting.size === 0 && this.ranThisTurn < SLICE_TASKS) {
      this.ranThisTurn++;
      this.schedule();
      safely(task);
      return;
    }
    const tasks = this.waiting.get(key);
    if (tasks) tasks.push(task);
    else this.waiting.set(key, [task]);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.onSlice);
  }

  private slice(): void {
    this.scheduled = false;
    this.ranThisTurn = 0;
    // Round-robin: one task of each waiting connection, again, until the slice is full. A
    // connection's own tasks keep their order.
    while (this.waiting.size > 0 && this.ranThisTurn < SLICE_TASKS) {
      for (const [key, tasks] of this.waiting) {
        const task = tasks.shift()!;
        if (tasks.length === 0) this.waiting.delete(key);
        this.ranThisTurn++;
        safely(task);
        if (this.ranThisTurn >= SLICE_TASKS) break;
      }
    }
    // Resets the count for the next turn even when nothing waits.
    if (this.waiting.size > 0 || this.ranThisTurn > 0) this.schedule();
  }
}

function safely(task: Task): void {
  try {
    task();
  } catch (err) {
    // One task failing must not leave the rest waiting for ever.
    log.error("the gRPC front door's work failed", { error: (err as Error).message });
  }
}

const slices = new Slices();

/**
 * Runs `task` (starting or ending a call on connection `key`) now, or in a slice soon when
 * SLICE_TASKS already ran in this event-loop turn.
 */
export function inSlice(key: object, task: Task): void {
  slices.run(key, task);
}
