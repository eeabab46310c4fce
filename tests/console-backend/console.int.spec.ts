// The console backend against REAL store processes over gRPC: one with factline's admin services,
// one with FACTLINE_ADMIN_SERVICES=off (standing in for a plain FactCast server), both on the same
// database so they hold the same facts. Every answer the fallback can give must equal the admin
// answer; what it cannot give must be said, not failed.
import net from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ConsoleService,
  FactQuerySchema,
  Order,
  type FactQuery,
  type QueryFactsResponse,
} from "../../gen/factline/console/v1/console_pb";
import { parseFactsSearchParams, toFactQuery } from "../../lib/query-params";
import { createConsoleService } from "../../lib/backend/rpc/console-service";
import { exportFacts } from "../../lib/backend/routes/export";
import { NEWEST_FIRST_UNAVAILABLE } from "../../lib/backend/rpc/queries";
import { WITHOUT_ADMIN } from "../../lib/backend/rpc/status";
import { createUpstream, type Upstream } from "../../lib/backend/upstream/upstream";
import { createFactStoreClient } from "../support/client.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, idOf, publish, randomUUID } from "../support/facts.js";
import { startStore, type RunningStore } from "../support/store.js";

type Console = Client<typeof ConsoleService>;
interface Mode {
  name: string;
  store: RunningStore;
  upstream: Upstream;
  console: Console;
}

const ALICE = randomUUID();
const BOB = randomUUID();
const ORDER = randomUUID();
const todayUtc = () => new Date().toISOString().slice(0, 10);
const yesterdayUtc = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

let db: TestDatabase;
let admin: Mode;
let plain: Mode;
let ids: string[];

function consoleOf(upstream: Upstream): Console {
  return createClient(
    ConsoleService,
    createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream }))),
  );
}

async function mode(name: string, env: Record<string, string>): Promise<Mode> {
  const store = await startStore({ databaseUrl: db.url, env: { FACTLINE_LOG: "silent", ...env } });
  const upstream = createUpstream({ url: store.url });
  return { name, store, upstream, console: consoleOf(upstream) };
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgAdminUrl"), "console_backend");
  admin = await mode("admin", {});
  // Started second: the first store has migrated the database already.
  plain = await mode("plain FactCast", { FACTLINE_ADMIN_SERVICES: "off" });
  const facts = [
    fact({
      ns: "users",
      type: "UserCreated",
      version: 1,
      aggIds: [ALICE],
      meta: { tenant: "t1" },
      payload: { name: "Alice" },
    }),
    fact({
      ns: "users",
      type: "UserCreated",
      version: 2,
      aggIds: [BOB],
      meta: { tenant: "t2", flagged: "yes" },
      payload: { name: "Bob" },
    }),
    fact({
      ns: "orders",
      type: "OrderPlaced",
      version: 1,
      aggIds: [ORDER, ALICE],
      meta: { tenant: "t1" },
      payload: { total: 12.5 },
    }),
    fact({
      ns: "users",
      type: "UserRenamed",
      version: 1,
      aggIds: [ALICE],
      meta: { tenant: "t1" },
      payload: { name: "<script>alert(1)</script>" },
    }),
    fact({ ns: "orders", type: "OrderShipped", version: 1, aggIds: [ORDER], payload: `{"big":"${"x".repeat(4000)}"}` }),
    fact({
      ns: "users",
      type: "UserCreated",
      version: 1,
      aggIds: [randomUUID()],
      meta: { tenant: "t1" },
      payload: { name: "Carol" },
    }),
  ];
  const client = createFactStoreClient(admin.store.url);
  await publish(client, facts.slice(0, 3));
  await publish(client, facts.slice(3));
  ids = facts.map(idOf);
}, 180_000);

afterAll(async () => {
  await Promise.all([admin?.store.stop(), plain?.store.stop()]);
  await db?.drop();
}, 60_000);

function query(search: string): FactQuery {
  const parsed = parseFactsSearchParams(search);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return toFactQuery(parsed.params);
}

const serialsOf = (res: QueryFactsResponse) => res.facts.map((f) => Number(f.serial));

async function pageAll(console: Console, q: FactQuery, order: Order, limit = 2) {
  const all: number[] = [];
  let cursor = 0n;
  for (;;) {
    const res = await console.queryFacts({ query: q, order, cursor, limit });
    all.push(...serialsOf(res));
    if (!res.hasMore) return { all, last: res };
    cursor = res.nextCursor;
  }
}

describe("store status", () => {
  it("reports both stores as reachable, and what the one without admin services lacks", async () => {
    const a = await admin.console.getStoreStatus({});
    expect(a).toMatchObject({
      reachable: true,
      protocolVersion: "1.8.0",
      adminAvailable: true,
      unavailableFeatures: [],
      latestSerial: 6n,
    });
    expect(a.implementation).not.toBe("");
    const p = await plain.console.getStoreStatus({});
    expect(p).toMatchObject({
      reachable: true,
      protocolVersion: "1.8.0",
      adminAvailable: false,
      unavailableFeatures: WITHOUT_ADMIN,
      latestSerial: 6n,
    });
  });

  it("reports a store that is not running as unreachable, saying what to check", async () => {
    const port = await closedPort();
    const status = await consoleOf(createUpstream({ url: `http://127.0.0.1:${port}` })).getStoreStatus({});
    expect(status).toMatchObject({
      reachable: false,
      error: `cannot connect to http://127.0.0.1:${port} (connection refused): is the store running? set FACTLINE_STORE_URL`,
    });
    await expect(consoleOf(createUpstream({ url: `http://127.0.0.1:${port}` })).getCatalog({})).rejects.toMatchObject({
      code: Code.Unavailable,
      rawMessage: expect.stringMatching(/^store unreachable: cannot connect/),
    });
  });
});

describe("catalog", () => {
  it("lists the same namespaces, types and versions; counts only with admin services", async () => {
    const [a, p] = await Promise.all([admin.console.getCatalog({}), plain.console.getCatalog({})]);
    const names = (res: typeof a) =>
      res.namespaces.map((n) => [n.ns, n.types.map((t) => [t.type, t.versions.map((v) => v.version)])]);
    expect(names(a)).toEqual([
      [
        "orders",
        [
          ["OrderPlaced", [1]],
          ["OrderShipped", [1]],
        ],
      ],
      [
        "users",
        [
          ["UserCreated", [1, 2]],
          ["UserRenamed", [1]],
        ],
      ],
    ]);
    expect(names(p)).toEqual(names(a));
    expect(a.countsAvailable).toBe(true);
    expect(a.namespaces[1]).toMatchObject({ factCount: 4n, lastSerial: 6n });
    expect(a.namespaces[1].lastPublishedMs).toBeGreaterThan(0n);
    expect(p.countsAvailable).toBe(false);
    expect([a.latestSerial, p.latestSerial]).toEqual([6n, 6n]);
  });
});

describe("querying facts", () => {
  const searches = [
    "",
    "ns=users",
    "ns=users&type=UserCreated",
    "ns=users&ns=orders&type=OrderPlaced",
    `aggId=${ALICE}`,
    "meta=tenant=t1",
    "has=flagged",
    "lacks=tenant",
    "from=2&to=5",
    `fromDate=${todayUtc()}`,
  ];

  it("gives the same facts oldest first with either strategy, for every kind of filter", async () => {
    for (const search of searches) {
      const a = await pageAll(admin.console, query(search), Order.OLDEST_FIRST);
      const p = await pageAll(plain.console, query(search), Order.OLDEST_FIRST);
      expect(p.all, search).toEqual(a.all);
      expect(a.last.strategy).toBe("keyset");
      expect(p.last.strategy).toBe("catch-up");
    }
    expect((await pageAll(admin.console, query("ns=users&type=UserCreated"), Order.OLDEST_FIRST)).all).toEqual([
      1, 2, 6,
    ]);
  });

  it("pages newest first with admin services; says it cannot without them", async () => {
    expect((await pageAll(admin.console, create(FactQuerySchema), Order.NEWEST_FIRST)).all).toEqual([6, 5, 4, 3, 2, 1]);
    const res = await plain.console.queryFacts({ order: Order.NEWEST_FIRST, limit: 3 });
    expect(serialsOf(res)).toEqual([1, 2, 3]);
    expect(res.notices).toContain(NEWEST_FIRST_UNAVAILABLE);
  });

  it("resolves days through the store: nothing before yesterday ended, everything from today", async () => {
    for (const m of [admin, plain]) {
      const before = await m.console.queryFacts({ query: query(`toDate=${yesterdayUtc()}`) });
      expect(before.facts, m.name).toEqual([]);
      expect(before.notices[0]).toContain("No facts were published on or before");
      const today = await m.console.queryFacts({
        query: query(`fromDate=${todayUtc()}&toDate=${todayUtc()}`),
        order: Order.OLDEST_FIRST,
      });
      expect(serialsOf(today), m.name).toEqual([1, 2, 3, 4, 5, 6]);
      expect(today.resolvedFromSerial).toBe(1n);
    }
  });

  it("sends payload previews, not whole payloads, in lists", async () => {
    const whole = (await admin.console.getFact({ key: { case: "serial", value: 5n } })).fact!.payloadJson;
    for (const m of [admin, plain]) {
      const res = await m.console.queryFacts({ query: query("ns=orders&type=OrderShipped") });
      expect(res.facts[0].payloadTruncated, m.name).toBe(true);
      expect(res.facts[0].payloadBytes).toBe(BigInt(Buffer.byteLength(whole)));
      expect(res.facts[0].payloadJson.length).toBeLessThanOrEqual(1024);
      expect(whole.startsWith(res.facts[0].payloadJson)).toBe(true);
    }
  });

  it("rejects malformed input with INVALID_ARGUMENT", async () => {
    await expect(admin.console.queryFacts({ limit: 1000 })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });
});

describe("inspecting a fact", () => {
  it("returns the same fact, next fact and aggregate history either way; previous only with admin services", async () => {
    const [a, p] = await Promise.all([
      admin.console.getFact({ key: { case: "serial", value: 2n } }),
      plain.console.getFact({ key: { case: "id", value: ids[1] } }),
    ]);
    expect(a.fact).toEqual(p.fact);
    expect(a.fact).toMatchObject({
      serial: 2n,
      id: ids[1],
      ns: "users",
      type: "UserCreated",
      version: 2,
      aggIds: [BOB],
      payloadJson: '{"name":"Bob"}',
    });
    expect(a.fact?.meta.flagged.values).toEqual(["yes"]);
    expect(Object.keys(a.fact?.meta ?? {})).not.toContain("_ser");
    expect([a.previousSerial, a.nextSerial]).toEqual([1n, 6n]);
    expect([p.previousSerial, p.nextSerial]).toEqual([0n, 6n]);

    const [ha, hp] = await Promise.all([
      admin.console.getFact({ key: { case: "serial", value: 1n } }),
      plain.console.getFact({ key: { case: "serial", value: 1n } }),
    ]);
    // ALICE: 1, 3 (with ORDER), 4.
    expect(ha.aggregateHistory.map((f) => f.serial)).toEqual([4n, 3n, 1n]);
    expect(hp.aggregateHistory.map((f) => f.serial)).toEqual([4n, 3n, 1n]);
  });

  it("keeps a payload with markup as the exact text stored", async () => {
    const res = await plain.console.getFact({ key: { case: "serial", value: 4n } });
    expect(JSON.parse(res.fact!.payloadJson)).toEqual({ name: "<script>alert(1)</script>" });
  });

  it("says NOT_FOUND for an unknown serial or id", async () => {
    for (const m of [admin, plain]) {
      await expect(m.console.getFact({ key: { case: "serial", value: 999n } })).rejects.toMatchObject({
        code: Code.NotFound,
        rawMessage: "no fact with serial 999: the newest fact has serial 6",
      });
      await expect(m.console.getFact({ key: { case: "id", value: ALICE } })).rejects.toMatchObject({
        code: Code.NotFound,
      });
    }
  });
});

describe("export", () => {
  it("streams the same NDJSON from both stores, every fact exactly as stored", async () => {
    const [a, p] = await Promise.all(
      [admin, plain].map(async (m) => (await exportFacts(m.upstream, new URLSearchParams("ns=users"))).text()),
    );
    expect(p).toBe(a);
    const lines = a
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { header: { id: string }; payload: unknown });
    expect(lines.map((l) => l.header.id)).toEqual([ids[0], ids[1], ids[3], ids[5]]);
    expect(lines[2].payload).toEqual({ name: "<script>alert(1)</script>" });
  });
});

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
