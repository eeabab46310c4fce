import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { exportFacts } from "./export";
import { FakeStore } from "../testing/fake-store";
import { createUpstream } from "../upstream/upstream";

const upstreamOf = (store: FakeStore) => createUpstream({ url: "http://fake:9090", transport: store.transport() });

function store(admin = true): FakeStore {
  const s = new FakeStore({ admin });
  s.publish({ ns: "users", type: "UserCreated", payload: { name: "Ada" } });
  s.publish({ ns: "orders", type: "OrderPlaced" });
  s.gap(3);
  s.publish({ ns: "users", type: "UserCreated", payload: { name: "Grace", big: "x".repeat(5000) } });
  s.publish({ ns: "users", type: "UserDeleted" });
  return s;
}

describe("GET /api/export", () => {
  it("streams the whole result as NDJSON, oldest first, header and payload exactly as stored", async () => {
    for (const admin of [true, false]) {
      const s = store(admin);
      const res = await exportFacts(
        upstreamOf(s),
        new URLSearchParams("ns=users&type=UserCreated&order=newest&cursor=1"),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="facts-users.UserCreated.ndjson"');
      const lines = (await res.text()).split("\n");
      expect(lines.pop()).toBe("");
      expect(lines).toEqual(
        [s.facts[0], s.facts[2]].map((f) => `{"header":${f.headerText},"payload":${f.payloadText}}`),
      );
      expect(JSON.parse(lines[1]).payload.big).toHaveLength(5000);
    }
  });

  it("applies serial and day ranges like the fact browser", async () => {
    const res = await exportFacts(upstreamOf(store()), new URLSearchParams("from=2&to=6"));
    const serials = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).header.meta._ser);
    expect(serials).toEqual([2, 6]);
    const none = await exportFacts(upstreamOf(store()), new URLSearchParams("toDate=2020-01-01"));
    expect(await none.text()).toBe("");
  });

  it("answers 400 naming the parameter for a malformed query", async () => {
    const res = await exportFacts(upstreamOf(store()), new URLSearchParams("aggId=nope&from=x"));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('aggId: aggId "nope" is not a UUID');
    expect(text).toContain('from: from "x" is not a serial');
  });

  it("answers 503 with the reason when the store is down", async () => {
    const refused = () =>
      Promise.reject(
        new ConnectError(
          "connect ECONNREFUSED",
          Code.Unavailable,
          undefined,
          undefined,
          Object.assign(new Error(), { code: "ECONNREFUSED" }),
        ),
      );
    const res = await exportFacts(
      createUpstream({ url: "http://127.0.0.1:9090", transport: { unary: refused, stream: refused } }),
      new URLSearchParams(""),
    );
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(
      "store unreachable: cannot connect to http://127.0.0.1:9090 (connection refused)",
    );
  });

  it("reads from the store only as fast as the download pulls, and stops when it is cancelled", async () => {
    const s = new FakeStore({ batchSize: 10 });
    for (let i = 0; i < 10_000; i++) s.publish({ ns: "bulk", type: "Row", payload: { i } });
    const res = await exportFacts(upstreamOf(s), new URLSearchParams("ns=bulk"));
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"i":0');
    for (let i = 0; i < 25; i++) await reader.read();
    await reader.cancel();
    // Only a few batches beyond what was read; never the whole 10,000.
    expect(s.delivered).toBeLessThan(100);
  });
});
