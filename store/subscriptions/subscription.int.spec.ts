// What a subscription leaves behind on the store's long-lived shutdown signal once it has ended: nothing.
// Every subscription is told about shutdown through that one signal, which lives as long as the
// process; anything a subscription hangs on it and never takes off grows with every subscription
// ever served (tests/security/abuse.int.spec.ts runs 10,000 of them against a store process).
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factSpec, openTestStorage, type TestStorage } from "../../tests/support/storage.js";
import type { SubscriptionRequest } from "../facts/spec";
import { NotificationListener } from "../storage/listener";
import { runSubscription, type SubscriptionEvent } from "./subscription";
import { TailHub } from "./tail";

const SUBSCRIPTIONS = 200;

let storage: TestStorage;
let listener: NotificationListener;
let tail: TailHub;
beforeAll(async () => {
  storage = await openTestStorage("subscription");
  listener = new NotificationListener(storage.url, storage.health);
  tail = new TailHub(storage.db.tail, listener, storage.health);
  await tail.start();
  await listener.start();
}, 60_000);
afterAll(async () => {
  tail?.stop();
  await listener?.stop();
  await storage?.close();
}, 30_000);

function request(ns: string, continuous: boolean): SubscriptionRequest {
  return { specs: [factSpec(ns)], continuous, ephemeral: continuous, keepaliveIntervalMs: 0, streamInfo: false };
}

/**
 * What `signal` holds of the signals that follow it: AbortSignal.any registers each signal it makes
 * with its sources (Node's internal set of weak references; Node 20 never prunes it, so it grows by
 * one entry per call for as long as a source lives). 0 where Node keeps no such set.
 */
function followersOf(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === "kDependantSignals");
  const set = key === undefined ? undefined : (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key];
  return set?.size ?? 0;
}

describe("a subscription that has ended", () => {
  it("leaves no listener and no follower on the store's shutdown signal, whether it completed or was cancelled", async () => {
    const shutdown = new AbortController();
    const run = (req: SubscriptionRequest, signal: AbortSignal) =>
      runSubscription(req, { db: storage.db, tail, signal, shutdown: shutdown.signal, fastForward: false });

    // Catch-ups that run to Complete.
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const kinds: SubscriptionEvent["kind"][] = [];
      for await (const event of run(request(`done-${i}`, false), new AbortController().signal)) kinds.push(event.kind);
      expect(kinds).toEqual(["catchup", "complete"]);
    }
    // Live followers of fresh namespaces, cancelled by their clients while waiting for facts (the
    // protocol adapter's for-await ends the generator; the call's signal is aborted).
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const call = new AbortController();
      const events = run(request(`live-${i}`, true), call.signal);
      expect((await events.next()).value).toEqual({ kind: "catchup" });
      const waiting = events.next();
      call.abort(new Error("cancelled by the client"));
      await expect(waiting).rejects.toThrow("cancelled by the client");
    }

    expect(tail.liveFollowers()).toBe(0);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    expect(followersOf(shutdown.signal)).toBe(0);
  }, 60_000);

  it("still ends with the store's shutdown while it follows", async () => {
    const shutdown = new AbortController();
    const events = runSubscription(request("shutdown", true), {
      db: storage.db,
      tail,
      signal: new AbortController().signal,
      shutdown: shutdown.signal,
      fastForward: false,
    });
    expect((await events.next()).value).toEqual({ kind: "catchup" });
    const waiting = events.next();
    shutdown.abort();
    await expect(waiting).rejects.toThrow(/shutting down/i);
    expect(tail.liveFollowers()).toBe(0);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  }, 30_000);
});
