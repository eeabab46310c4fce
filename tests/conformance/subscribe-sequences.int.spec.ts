// subscribe: the notification sequences a FactCast client's state machine depends on (catch-up,
// follow, ephemeral, startingAfter), fast-forward, keep-alives and cancellation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catchUp,
  Code,
  expectWellFormed,
  fromMsgUuid,
  MSG_Notification_Type as T,
  sequenceOf,
  subscribe,
} from "../support/client.js";
import { fact, idOf, latestSerial, publish, randomUUID, serialOf, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

async function publishN(ns: string, n: number, type = "Numbered") {
  const list = Array.from({ length: n }, (_, i) => fact({ ns, type, payload: { i } }));
  for (let i = 0; i < list.length; i += 200) await publish(fx.client, list.slice(i, i + 200));
  return list.map(idOf);
}

describe("catch-up (continuous=false)", () => {
  it("sends Info, Facts, Catchup, Complete and ends OK, with every fact once and in order", async () => {
    const ns = uniqueName("catchup");
    const ids = await publishN(ns, 1_234);
    await publishN(uniqueName("noise"), 3);
    const horizon = await latestSerial(fx.client);

    const sub = await catchUp(fx.client, { specs: [{ ns }] });

    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sequenceOf(sub)).toEqual(["Info", "Facts", "Catchup", "Complete"]);
    const info = sub.notifications[0].info!;
    expect([info.serialStart, info.serialHorizon]).toEqual([0n, BigInt(horizon)]);
    expect(sub.facts().map((f) => f.id)).toEqual(ids);
    const serials = sub.facts().map((f) => f.serial);
    serials.slice(1).forEach((s, i) => expect(s).toBeGreaterThan(serials[i]));
    expectWellFormed(sub);
  });

  it("omits Info when streamInfo is false and sends no Facts when nothing matches", async () => {
    const ns = uniqueName("noinfo");
    await publishN(ns, 2);
    const withoutInfo = await catchUp(fx.client, { specs: [{ ns }], streamInfo: false });
    expect(sequenceOf(withoutInfo)).toEqual(["Facts", "Catchup", "Complete"]);

    const empty = await catchUp(fx.client, { specs: [{ ns: uniqueName("nothing") }] });
    expect(empty.end.error, empty.end.error?.message).toBeUndefined();
    expect(sequenceOf(empty)).toEqual(["Info", "Catchup", "Complete"]);
    expectWellFormed(withoutInfo);
    expectWellFormed(empty);
  });

  it("startingAfter delivers only later facts and sets Info.serialStart to its serial", async () => {
    const ns = uniqueName("after");
    const ids = await publishN(ns, 5);
    const sub = await catchUp(fx.client, { specs: [{ ns }], startingAfter: ids[1] });

    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((f) => f.id)).toEqual(ids.slice(2));
    expect(sub.notifications[0].info?.serialStart).toBe(BigInt((await serialOf(fx.client, ids[1]))!));
    expectWellFormed(sub);
  });

  it("startingAfter may name a fact the specs do not match, in any letter case", async () => {
    const ns = uniqueName("after-foreign");
    const [before] = await publishN(ns, 1);
    const [marker] = await publishN(uniqueName("elsewhere"), 1);
    const later = await publishN(ns, 2);

    const sub = await catchUp(fx.client, { specs: [{ ns }], startingAfter: marker.toUpperCase() });
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((f) => f.id)).toEqual(later);
    expect(sub.facts().map((f) => f.id)).not.toContain(before);
  });

  it("fails with NOT_FOUND for an unknown startingAfter instead of replaying everything", async () => {
    const ns = uniqueName("unknown-after");
    await publishN(ns, 2);
    const sub = await catchUp(fx.client, { specs: [{ ns }], startingAfter: randomUUID() });
    expect(sub.end.error?.code).toBe(Code.NotFound);
    expect(sub.facts()).toHaveLength(0);
  });
});

describe("follow (continuous=true)", () => {
  it("sends Info, Facts, Catchup, then new facts as they are published, and stays open", async () => {
    const ns = uniqueName("follow");
    const old = await publishN(ns, 3);
    const sub = subscribe(fx.client, { specs: [{ ns }], continuous: true });
    try {
      await sub.waitForType(T.Catchup);
      expect(sequenceOf(sub)).toEqual(["Info", "Facts", "Catchup"]);

      const live = [fact({ ns, type: "Live" }), fact({ ns, type: "Live" })];
      await publish(fx.client, [live[0]]);
      await publish(fx.client, [live[1], fact({ ns: uniqueName("other"), type: "Live" })]);
      await sub.waitForFacts(5);
      await new Promise((r) => setTimeout(r, 300));

      expect(sub.facts().map((f) => f.id)).toEqual([...old, ...live.map(idOf)]);
      expect(
        sequenceOf(sub)
          .slice(3)
          .every((t) => t === "Facts"),
      ).toBe(true);
      expect(sub.isEnded()).toBe(false);
      expectWellFormed(sub);
    } finally {
      sub.cancel();
    }
  });

  it("ephemeral: no Info, Catchup first, then only facts published after subscribing", async () => {
    const ns = uniqueName("ephemeral");
    await publishN(ns, 3);
    const sub = subscribe(fx.client, { specs: [{ ns }], continuous: true, ephemeral: true, streamInfo: true });
    try {
      await sub.waitForType(T.Catchup);
      expect(sequenceOf(sub)).toEqual(["Catchup"]);

      const live = fact({ ns, type: "Live" });
      await publish(fx.client, [live]);
      await sub.waitForFacts(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(sub.facts().map((f) => f.id)).toEqual([idOf(live)]);
      expectWellFormed(sub);
    } finally {
      sub.cancel();
    }
  });

  it("can be cancelled, and the store keeps serving other subscriptions and calls", async () => {
    const ns = uniqueName("cancel");
    const cancelled = Array.from({ length: 20 }, () => subscribe(fx.client, { specs: [{ ns }], continuous: true }));
    await Promise.all(cancelled.map((s) => s.waitForType(T.Catchup)));
    cancelled.forEach((s) => s.cancel());
    const ends = await Promise.all(cancelled.map((s) => s.ended));
    ends.forEach((end) => expect(end.error?.code).toBe(Code.Canceled));

    const survivor = subscribe(fx.client, { specs: [{ ns }], continuous: true });
    try {
      await survivor.waitForType(T.Catchup);
      const f = fact({ ns, type: "AfterCancel" });
      await publish(fx.client, [f]);
      await survivor.waitForFacts(1);
      expect(survivor.facts().map((x) => x.id)).toEqual([idOf(f)]);
      expect(cancelled.every((s) => s.facts().length === 0)).toBe(true);
    } finally {
      survivor.cancel();
    }
  });

  it("sends KeepAlive notifications while idle when keepaliveIntervalInMs is set", async () => {
    const sub = subscribe(fx.client, {
      specs: [{ ns: uniqueName("idle") }],
      continuous: true,
      keepaliveIntervalInMs: 3000,
    });
    try {
      await sub.waitForType(T.Catchup);
      await sub.waitForType(T.KeepAlive, 7_000);
      expectWellFormed(sub);
    } finally {
      sub.cancel();
    }
  }, 15_000);
});

describe("fast-forward (fc-ffwd)", () => {
  it("sends Ffwd(latest id, latest serial) before Catchup when the last match is older than the log end", async () => {
    const ns = uniqueName("ffwd");
    const [match] = await publishN(ns, 1);
    const newer = await publishN(uniqueName("ffwd-other"), 3);
    const latestId = newer[2];
    const latest = (await serialOf(fx.client, latestId))!;

    const withFfwd = await catchUp(fx.client, { specs: [{ ns }] }, { headers: { "fc-ffwd": "true" } });
    expect(sequenceOf(withFfwd)).toEqual(["Info", "Facts", "Ffwd", "Catchup", "Complete"]);
    expect(withFfwd.facts().map((f) => f.id)).toEqual([match]);
    const ffwd = withFfwd.notifications.find((n) => n.type === T.Ffwd)!;
    expect(fromMsgUuid(ffwd.id!)).toBe(latestId);
    expect(ffwd.serial?.serial).toBe(BigInt(latest));
    expectWellFormed(withFfwd);

    const follow = subscribe(fx.client, { specs: [{ ns }], continuous: true }, { headers: { "fc-ffwd": "true" } });
    try {
      await follow.waitForType(T.Catchup);
      expect(sequenceOf(follow)).toEqual(["Info", "Facts", "Ffwd", "Catchup"]);
    } finally {
      follow.cancel();
    }

    const without = await catchUp(fx.client, { specs: [{ ns }] });
    expect(sequenceOf(without)).toEqual(["Info", "Facts", "Catchup", "Complete"]);
  });

  it("sends no Ffwd when the last matching fact is the latest fact", async () => {
    const ns = uniqueName("ffwd-latest");
    await publishN(ns, 2);
    const sub = await catchUp(fx.client, { specs: [{ ns }] }, { headers: { "fc-ffwd": "true" } });
    expect(sequenceOf(sub)).toEqual(["Info", "Facts", "Catchup", "Complete"]);
  });
});
