import { describe, expect, it } from "vitest";
import type { GetCatalogResponse } from "../../../gen/factline/console/v1/console_pb";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";

function store(admin: boolean): FakeStore {
  const s = new FakeStore({ admin });
  s.publish({ ns: "users", type: "UserCreated", version: 2, ts: 1000 });
  s.publish({ ns: "orders", type: "OrderPlaced", version: 1, ts: 2000 });
  s.publish({ ns: "users", type: "UserCreated", version: 1, ts: 3000 });
  s.publish({ ns: "users", type: "Deleted", version: 1, ts: 4000 });
  s.publish({ ns: "users", type: "UserCreated", version: 2, ts: 5000 });
  return s;
}

/** The tree as names only, to compare both strategies. */
const names = (res: GetCatalogResponse) =>
  res.namespaces.map((n) => [n.ns, n.types.map((t) => [t.type, t.versions.map((v) => v.version)])]);

describe("GetCatalog", () => {
  it("groups the admin catalog ns → types → versions, sorted, with counts and last activity summed up", async () => {
    const res = await consoleFor(store(true)).client.getCatalog({});
    expect(res.countsAvailable).toBe(true);
    expect(res.latestSerial).toBe(5n);
    expect(names(res)).toEqual([
      ["orders", [["OrderPlaced", [1]]]],
      [
        "users",
        [
          ["Deleted", [1]],
          ["UserCreated", [1, 2]],
        ],
      ],
    ]);
    const users = res.namespaces[1];
    expect([users.factCount, users.lastSerial, users.lastPublishedMs]).toEqual([4n, 5n, 5000n]);
    const created = users.types[1];
    expect([created.factCount, created.lastSerial]).toEqual([3n, 5n]);
    expect(created.versions[1]).toMatchObject({
      version: 2,
      factCount: 2n,
      firstSerial: 1n,
      lastSerial: 5n,
      lastPublishedMs: 5000n,
    });
  });

  it("enumerates names only on a plain FactCast server", async () => {
    const res = await consoleFor(store(false)).client.getCatalog({});
    expect(res.countsAvailable).toBe(false);
    expect(res.latestSerial).toBe(5n);
    expect(names(res)).toEqual(names(await consoleFor(store(true)).client.getCatalog({})));
    expect(res.namespaces[1].factCount).toBe(0n);
  });

  it("narrows to one namespace either way", async () => {
    for (const admin of [true, false]) {
      const res = await consoleFor(store(admin)).client.getCatalog({ ns: "orders" });
      expect(names(res)).toEqual([["orders", [["OrderPlaced", [1]]]]]);
    }
  });
});
