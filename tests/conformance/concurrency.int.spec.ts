// Two store processes on one database under concurrent load. Every follow subscription, on either
// instance, must see every matching fact exactly once, in serial order, with no gaps (the
// visibility hazard of late commits, README "Architecture", FactCast #338); duplicate ids and optimistic locks must hold
// across instances too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catchUp,
  Code,
  createFactStoreClient,
  errorDetails,
  MSG_Notification_Type as T,
  spec,
  subscribe,
  type FactStoreClient,
  type SpecInput,
  type Subscription,
} from "../support/client.js";
import { fact, factsMsg, idOf, publish, randomUUID, serialOf, type StoredFact } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";

const PUBLISHERS = 8;
const FACTS_PER_PUBLISHER = 256; // 2,048 facts in total
const TOTAL = PUBLISHERS * FACTS_PER_PUBLISHER;
const NAMESPACES = ["conc-a", "conc-b"] as const;
/** Moments (evenly spread over the publishing) at which three more followers join. */
const LATE_POINTS = 4;

let fx: StoreFixture;
let second: RunningStore;
let instances: string[];

beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("concurrency");
  second = await startStore({ databaseUrl: fx.databaseUrl });
  instances = [fx.store.url, second.url];
}, 120_000);
afterAll(async () => {
  await second?.stop();
  await fx?.close();
}, 30_000);

interface Follower {
  name: string;
  spec: SpecInput;
  /** Serial the follower started after (0 = from scratch). */
  startSerial: number;
  sub: Subscription;
}

function follow(name: string, instance: number, ns: string, startingAfter?: string, startSerial = 0): Follower {
  const client = createFactStoreClient(instances[instance]);
  const only = { ns };
  const sub = subscribe(client, { specs: [only], continuous: true, startingAfter: startingAfter ?? null });
  return { name: `${name}@${instance}`, spec: only, startSerial, sub };
}

/** One publisher: alternates single-fact calls and batches of 2–20, over both namespaces. */
async function runPublisher(index: number, client: FactStoreClient, onPublished: (ids: string[]) => void) {
  let sent = 0;
  let call = 0;
  while (sent < FACTS_PER_PUBLISHER) {
    const size = Math.min(call % 2 === 0 ? 1 : 2 + ((index * 7 + call) % 19), FACTS_PER_PUBLISHER - sent);
    const batch = Array.from({ length: size }, (_, i) =>
      fact({
        ns: NAMESPACES[(sent + i + index) % 2],
        type: `Counted${(sent + i) % 3}`,
        payload: { publisher: index, n: sent + i },
      }),
    );
    await publish(client, batch);
    onPublished(batch.map(idOf));
    sent += size;
    call++;
  }
}

describe("two instances, concurrent publishers and followers", () => {
  it("every follower receives every matching fact exactly once, in serial order", async () => {
    const followers: Follower[] = [];
    for (let i = 0; i < 8; i++) followers.push(follow(`all-${i}`, i % 2, "*"));
    followers.push(follow("ns-a", 0, "conc-a"), follow("ns-b", 1, "conc-b"));
    await Promise.all(followers.map((f) => f.sub.waitForType(T.Catchup)));

    const published: string[] = [];
    // Followers joining while publishing is under way, after a fact known to be committed: their
    // catch-up races the live feed, which is where skipped or repeated facts would come from.
    const lateStarts: Array<Promise<void>> = [];
    const startLate = async (point: number, afterId: string) => {
      const afterSerial = (await serialOf(fx.client, afterId))!;
      followers.push(
        follow(`late${point}-all`, point % 2, "*", afterId, afterSerial),
        follow(`late${point}-all`, (point + 1) % 2, "*", afterId, afterSerial),
        follow(`late${point}-a`, point % 2, "conc-a", afterId, afterSerial),
      );
    };

    const started = Date.now();
    await Promise.all(
      Array.from({ length: PUBLISHERS }, (_, i) =>
        runPublisher(i, createFactStoreClient(instances[i % 2]), (ids) => {
          published.push(...ids);
          const point = lateStarts.length + 1;
          if (point <= LATE_POINTS && published.length >= (TOTAL * point) / (LATE_POINTS + 1)) {
            lateStarts.push(startLate(point, ids[ids.length - 1]));
          }
        }),
      ),
    );
    await Promise.all(lateStarts);
    const publishMs = Date.now() - started;
    expect(published).toHaveLength(TOTAL);
    expect(followers).toHaveLength(10 + 3 * LATE_POINTS);

    // The log as a fresh catch-up sees it: exactly the published facts, in serial order.
    const log = (await catchUp(fx.client, { specs: [{ ns: "*" }] }, { timeoutMs: 60_000 })).facts();
    expect(new Set(log.map((f) => f.id))).toEqual(new Set(published));
    expect(log).toHaveLength(published.length);
    expectStrictlyIncreasing(log, "catch-up");

    const expectedFor = (f: Follower) =>
      log.filter((x) => (f.spec.ns === "*" || x.ns === f.spec.ns) && x.serial > f.startSerial).map((x) => x.id);
    const deadline = Date.now() + 60_000;
    for (const f of followers) {
      // a follower that never gets there is reported by the comparison below
      await f.sub.waitForFacts(expectedFor(f).length, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
    // anything duplicated or out of place would show up as extra facts shortly after
    await new Promise((r) => setTimeout(r, 500));

    const problems = followers.flatMap((f) => {
      const issue = mismatch(f.sub.facts(), expectedFor(f));
      const ended = f.sub.isEnded() ? ["stream ended"] : [];
      const catchups = f.sub.types().filter((t) => t === T.Catchup).length === 1 ? [] : ["Catchup not exactly once"];
      const all = [...(issue ? [issue] : []), ...ended, ...catchups];
      return all.length > 0 ? [`${f.name} (after serial ${f.startSerial}): ${all.join("; ")}`] : [];
    });
    followers.forEach((f) => f.sub.cancel());
    expect(problems, `publishing took ${publishMs} ms`).toEqual([]);
  }, 120_000);
});

describe("followers joining a busy log", () => {
  it("each follower that starts after a just-published fact sees every later fact once", async () => {
    const ns = "join";
    const JOINERS = 60;
    const published: string[] = [];
    let publishing = true;
    const publishers = [0, 1].map(async (instance) => {
      const client = createFactStoreClient(instances[instance]);
      while (publishing) {
        const f = fact({ ns, type: "Tick" });
        await publish(client, [f]);
        published.push(idOf(f));
      }
    });

    // Each joiner's catch-up is a handful of facts and ends while new ones are being committed:
    // the moment where a store hands over from reading the database to the live feed.
    const joiners: Follower[] = [];
    while (published.length < 20) await new Promise((r) => setTimeout(r, 5));
    for (let j = 0; j < JOINERS; j++) {
      const after = published[published.length - 1];
      joiners.push(follow(`joiner-${j}`, j % 2, ns, after, (await serialOf(fx.client, after))!));
      await new Promise((r) => setTimeout(r, 15));
    }
    await Promise.all(joiners.map((f) => f.sub.waitForType(T.Catchup)));
    await new Promise((r) => setTimeout(r, 200));
    publishing = false;
    await Promise.all(publishers);

    const log = (await catchUp(fx.client, { specs: [{ ns }] })).facts();
    // two publishers: completion order is not serial order, so compare as sets
    expect(new Set(log.map((f) => f.id))).toEqual(new Set(published));
    expect(log).toHaveLength(published.length);
    const expectedFor = (f: Follower) => log.filter((x) => x.serial > f.startSerial).map((x) => x.id);
    const deadline = Date.now() + 30_000;
    for (const f of joiners) {
      await f.sub.waitForFacts(expectedFor(f).length, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 300));
    const problems = joiners.flatMap((f) => {
      const issue = mismatch(f.sub.facts(), expectedFor(f));
      return issue ? [`${f.name} (after serial ${f.startSerial}): ${issue}`] : [];
    });
    joiners.forEach((f) => f.sub.cancel());
    expect(problems, `${published.length} facts published`).toEqual([]);
  }, 60_000);
});

describe("conditional publishes across instances", () => {
  it("of 10 clients on both instances racing for one aggregate, exactly one wins each round", async () => {
    const ns = "race";
    const agg = randomUUID();
    const specsJson = { json: JSON.stringify([spec({ ns, aggIds: [agg] })]) };
    const clients = Array.from({ length: 10 }, (_, i) => createFactStoreClient(instances[i % 2]));
    for (let round = 0; round < 5; round++) {
      const tokens = await Promise.all(clients.map((c) => c.currentStateForSpecsJson(specsJson)));
      const attempts = clients.map((_, i) => fact({ ns, type: "Won", aggIds: [agg], payload: { round, i } }));
      const results = await Promise.all(
        clients.map(
          async (c, i) =>
            (await c.publishConditional({ facts: factsMsg([attempts[i]]), tokenPresent: true, token: tokens[i] }))
              .success,
        ),
      );
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
    const log = (await catchUp(fx.client, { specs: [{ ns, aggIds: [agg] }] })).facts();
    expect(log).toHaveLength(5);
  });
});

describe("the same id through both instances", () => {
  const outcome = (e: unknown) => errorDetails(e).exception ?? Code[errorDetails(e).code];

  it("an identical fact is stored once and both publishes succeed (a re-publish is idempotent)", async () => {
    const clients = [createFactStoreClient(instances[0]), createFactStoreClient(instances[1])];
    for (let round = 0; round < 10; round++) {
      const f = fact({ ns: "retried", type: "T", payload: { round } });
      const results = await Promise.all(clients.map((c) => publish(c, [f]).then(() => "ok", outcome)));
      expect(results, `round ${round}`).toEqual(["ok", "ok"]);
      const stored = (await catchUp(fx.client, { specs: [{ ns: "retried" }] })).facts().filter((x) => x.id === idOf(f));
      expect(stored, `round ${round}`).toHaveLength(1);
    }
  });

  it("different facts with one id: one is stored, the other publish gets DuplicateFactException", async () => {
    const clients = [createFactStoreClient(instances[0]), createFactStoreClient(instances[1])];
    for (let round = 0; round < 10; round++) {
      const id = randomUUID();
      const results = await Promise.all(
        clients.map((c, i) =>
          publish(c, [fact({ id, ns: "raced", type: "T", payload: { round, i } })]).then(() => "ok", outcome),
        ),
      );
      expect(results.sort(), `round ${round}`).toEqual(["ok", "org.factcast.core.DuplicateFactException"]);
    }
  });
});

function expectStrictlyIncreasing(facts: StoredFact[], who: string) {
  for (let i = 1; i < facts.length; i++) {
    if (!(facts[i].serial > facts[i - 1].serial)) {
      throw new Error(`${who}: serial ${facts[i].serial} at position ${i} follows ${facts[i - 1].serial}`);
    }
  }
}

/** A one-line account of how a follower's facts differ from the expected ids, or undefined. */
function mismatch(got: StoredFact[], expected: string[]): string | undefined {
  const ids = got.map((f) => f.id);
  if (ids.length === expected.length && ids.every((id, i) => id === expected[i])) return undefined;
  const want = new Set(expected);
  const seen = new Set<string>();
  const duplicates = ids.filter((id) => seen.has(id) || !seen.add(id)).length;
  const missing = expected.filter((id) => !seen.has(id)).length;
  const foreign = ids.filter((id) => !want.has(id)).length;
  const firstDiff = ids.findIndex((id, i) => id !== expected[i]);
  const disorder = got.findIndex((f, i) => i > 0 && f.serial <= got[i - 1].serial);
  return (
    `received ${ids.length} of ${expected.length}: ${missing} missing, ${duplicates} repeated, ${foreign} unexpected, ` +
    `first difference at position ${firstDiff}` +
    (disorder > 0 ? `, serial ${got[disorder].serial} after ${got[disorder - 1].serial} at ${disorder}` : "")
  );
}
