// The instance registry's storage against a real PostgreSQL: a beat records an instance and its
// subscriptions in one statement and keeps them current, ended subscriptions leave, a lapsed
// instance is swept by another's beat with its subscriptions, and an end request reaches the owner.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import type { Db } from "./db";
import {
  beat,
  listInstances,
  listSubscriptions,
  removeInstance,
  requestEnd,
  SUBSCRIPTION_END_CHANNEL,
  type InstanceRow,
  type NewSubscription,
} from "./instances";

let storage: TestStorage;
let db: Db;

beforeAll(async () => {
  storage = await openTestStorage("instances_storage", { poolSize: 5 });
  db = storage.db.lookups;
});
afterAll(async () => {
  await storage?.close();
});

function instance(over: Partial<InstanceRow> = {}): InstanceRow {
  return {
    id: randomUUID(),
    host: "host-a",
    pid: 4242,
    version: "0.1.0",
    grpcAddress: "127.0.0.1:9090",
    httpAddress: "http://127.0.0.1:9091",
    startedMs: Date.now() - 60_000,
    heartbeatMs: 1_000,
    ready: true,
    tailSerial: 0n,
    ...over,
  };
}

function subscription(over: Partial<NewSubscription> = {}): NewSubscription {
  return {
    id: randomUUID(),
    clientId: "orders-app",
    clientAddress: "10.0.0.7",
    account: "orders",
    debugInfo: "req(orders) @ host-b",
    specs: [
      { ns: "shop", type: "OrderPlaced", version: 0, aggIds: [], meta: {}, metaKeyExists: {} },
      { ns: "billing" },
    ],
    mode: "follow",
    startedMs: Date.now() - 5_000,
    delivered: 0,
    lastSerial: 0n,
    position: 0n,
    caughtUp: false,
    rate: 0,
    ...over,
  };
}

describe("instance registry storage", () => {
  it("records an instance and its new subscriptions, then keeps their figures current", async () => {
    const me = instance({ tailSerial: 20n });
    const sub = subscription();
    const first = await beat(db, me, [sub], []);
    expect(first.created).toBe(true);
    expect(first.ends).toEqual([]);

    const [listed] = (await listInstances(db)).filter((i) => i.id === me.id);
    expect(listed).toMatchObject({ host: "host-a", pid: 4242, version: "0.1.0", ready: true, tailSerial: 20n });
    expect(Math.abs(listed.startedMs - me.startedMs)).toBeLessThan(2);

    const again = await beat(
      db,
      { ...me, tailSerial: 30n },
      [],
      [{ id: sub.id, delivered: 12, lastSerial: 25n, position: 28n, caughtUp: true, rate: 3.5 }],
    );
    expect(again.created).toBe(false);
    expect([...again.updated]).toEqual([sub.id]);
    const [row] = (await listSubscriptions(db)).filter((s) => s.id === sub.id);
    expect(row).toMatchObject({
      instanceId: me.id,
      clientId: "orders-app",
      account: "orders",
      mode: "follow",
      delivered: 12n,
      lastSerial: 25n,
      position: 28n,
      caughtUp: true,
      rate: 3.5,
      tailSerial: 30n,
      namespaces: expect.arrayContaining(["shop", "billing"]),
    });
    expect(row.specs[0]).toMatchObject({ ns: "shop", type: "OrderPlaced" });
    await removeInstance(db, me.id);
  });

  it("deletes the rows of subscriptions a beat no longer names", async () => {
    const me = instance();
    const [a, b] = [subscription(), subscription()];
    await beat(db, me, [a, b], []);
    await beat(db, me, [], [{ ...a }]);
    const ids = (await listSubscriptions(db)).map((s) => s.id);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(b.id);
    await removeInstance(db, me.id);
    expect((await listSubscriptions(db)).map((s) => s.id)).not.toContain(a.id);
  });

  it("hides an instance whose heartbeat lapsed and sweeps it, with its subscriptions, at another's beat", async () => {
    const gone = instance({ heartbeatMs: 100 });
    const sub = subscription();
    await beat(db, gone, [sub], []);
    await storage.admin(`UPDATE store_instance SET heartbeat_at = now() - interval '1 second' WHERE id = $1`, [
      gone.id,
    ]);
    expect((await listInstances(db)).map((i) => i.id)).not.toContain(gone.id);
    expect((await listSubscriptions(db)).map((s) => s.id)).not.toContain(sub.id);

    const other = instance();
    await beat(db, other, [], []);
    expect(await storage.admin(`SELECT id FROM store_instance WHERE id = $1`, [gone.id])).toEqual([]);
    expect(await storage.admin(`SELECT id FROM store_subscription WHERE id = $1`, [sub.id])).toEqual([]);

    // Back from a long pause: its beat creates the row again and reports its subscriptions as not updated.
    const back = await beat(db, gone, [], [sub]);
    expect(back.created).toBe(true);
    expect(back.updated.size).toBe(0);
    await removeInstance(db, gone.id);
    await removeInstance(db, other.id);
  });

  it("records an end request, notifies the owner, and hands it to the owner's next beat", async () => {
    const me = instance();
    const sub = subscription();
    await beat(db, me, [sub], []);
    const listener = new pg.Client({ connectionString: storage.url });
    await listener.connect();
    try {
      const notified = new Promise<string>((resolve) => listener.on("notification", (n) => resolve(n.payload ?? "")));
      await listener.query(`LISTEN ${SUBSCRIPTION_END_CHANNEL}`);
      const found = await requestEnd(db, { id: sub.id, by: "ops", reason: "stuck consumer", reconnect: false });
      expect(found).toMatchObject({ instanceId: me.id, clientId: "orders-app", account: "orders" });
      expect(JSON.parse(await notified)).toEqual({ id: sub.id, by: "ops", reason: "stuck consumer", reconnect: false });
      const next = await beat(db, me, [], [sub]);
      expect(next.ends).toEqual([{ id: sub.id, by: "ops", reason: "stuck consumer", reconnect: false }]);
      expect((await listSubscriptions(db)).find((s) => s.id === sub.id)?.endRequestedBy).toBe("ops");
    } finally {
      await listener.end();
    }
    expect(await requestEnd(db, { id: randomUUID(), by: "ops", reason: "", reconnect: true })).toBeUndefined();
    await removeInstance(db, me.id);
  });

  it("dates the last delivered fact and the first one a subscription has not seen", async () => {
    await storage.admin(
      `INSERT INTO fact (header, payload) SELECT jsonb_build_object('id', gen_random_uuid(), 'ns', 'lag',
         'meta', jsonb_build_object('_ts', 1000 * i)), '{}' FROM generate_series(1, 3) i`,
    );
    const [{ first }] = await storage.admin<{ first: string }>(`SELECT min(ser)::text AS first FROM fact`);
    const base = BigInt(first);
    const me = instance({ tailSerial: base + 2n });
    const sub = subscription({ lastSerial: base, position: base });
    await beat(db, me, [sub], []);
    const row = (await listSubscriptions(db)).find((s) => s.id === sub.id)!;
    expect(row.lastDeliveredMs).toBe(1000);
    expect(row.nextWaitingMs).toBe(2000);
    await removeInstance(db, me.id);
  });
});
