// When things happen in the demo world: a simulated history first (days of business compressed
// into one seeding run), then live steps at wall-clock time.
//
// The store stamps meta._ts itself when a fact is published, so the simulated history only shows
// in the payloads' own time fields (placedAt, paidAt, registeredAt …); _ts of seeded facts is the
// moment the demo ran.
import { PRODUCTS } from "./data";
import { changePrice, publishProduct, restock, stocktake } from "./scenarios/catalog";
import { changeEmail, deactivate, registerCustomer } from "./scenarios/customers";
import { placeOrder } from "./scenarios/orders";
import { DAY, DemoWorld, MINUTE, type DemoFact } from "./world";

/** Facts one arrival produces on average (an order with its follow-ups ≈ 7, others 1); tunes pacing. */
const FACTS_PER_ARRIVAL = 4;
/** The first customers, so the first orders have someone to buy. */
const FIRST_CUSTOMERS = 5;

const ARRIVALS: ReadonlyArray<readonly [(world: DemoWorld) => void, number]> = [
  [placeOrder, 55],
  [registerCustomer, 20],
  [restock, 8],
  [changeEmail, 4],
  [changePrice, 4],
  [stocktake, 3],
  [deactivate, 1.5],
];

export interface HistoryOptions {
  seed: number;
  /** About this many facts (the last step may add a few more). */
  facts: number;
  /** The history spans this many days up to `end`. */
  days: number;
  end: number;
}

export function createWorld({ seed, days, end }: Pick<HistoryOptions, "seed" | "days" | "end">): DemoWorld {
  const start = end - days * DAY;
  // The shop migrated OrderPlaced and UserRegistered to v2 after 60 % of the history.
  return new DemoWorld(seed, start, start + 0.6 * (end - start));
}

/** The seeded history, in publish order, a step's facts at a time. */
export function* history(world: DemoWorld, { facts, end }: HistoryOptions): Generator<DemoFact[]> {
  let produced = 0;
  const step = function* (): Generator<DemoFact[]> {
    const out = world.take();
    produced += out.length;
    if (out.length > 0) yield out;
  };
  for (const base of PRODUCTS) {
    world.now += world.rng.exponential(20 * MINUTE);
    publishProduct(world, base);
    yield* step();
  }
  for (let i = 0; i < FIRST_CUSTOMERS; i++) {
    world.now += world.rng.exponential(2 * 60 * MINUTE);
    registerCustomer(world);
    yield* step();
  }
  while (produced < facts) {
    // Pace arrivals so that the requested facts fill the remaining time.
    const meanGap = Math.max(1_000, (end - world.now) / ((facts - produced) / FACTS_PER_ARRIVAL));
    const arrivalAt = Math.min(end, world.now + world.rng.exponential(meanGap));
    const due = world.nextDue;
    if (due !== undefined && due <= arrivalAt) {
      world.runNext();
    } else {
      world.now = arrivalAt;
      arrive(world);
    }
    yield* step();
  }
}

/**
 * One live step at wall-clock time `now`: mostly the next follow-up of an earlier order (paid,
 * shipped … hours of business happen in seconds), otherwise something new.
 */
export function liveStep(world: DemoWorld, now: number): DemoFact[] {
  world.now = Math.max(world.now, now);
  if (world.pending > 0 && world.rng.chance(0.6)) world.runNext(world.now);
  else arrive(world);
  return world.take();
}

function arrive(world: DemoWorld): void {
  world.rng.weighted(ARRIVALS)(world);
}
