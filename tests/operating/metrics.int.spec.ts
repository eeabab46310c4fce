// GET /metrics while the test publishes, follows and catches up: each counter moves by exactly what
// was done, the gauges say what is open now, and every scrape is valid Prometheus text (checked by
// the strict reader in ./support/prometheus.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp, subscribe } from "../support/client.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { parsePrometheusText, type Exposition } from "./support/prometheus.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("metrics");
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${fx.store.httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const RS = { grpc_service: "org.factcast.grpc.api.gen.RemoteFactStore" };

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("GET /metrics", () => {
  it("counts facts published, their bytes, publish calls and group commits by the amounts done", async () => {
    const ns = uniqueName("m-pub");
    const before = await scrape();
    const batches = [5, 3, 1].map((n, b) =>
      Array.from({ length: n }, (_, i) => fact({ ns, type: "T", payload: { b, i, text: "é".repeat(i) } })),
    );
    for (const batch of batches) await fx.client.publish(factsMsg(batch));
    const bytes = batches.flat().reduce((n, f) => n + Buffer.byteLength(f.payload), 0);
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);

    expect(delta("factline_facts_published_total")).toBe(9);
    expect(delta("factline_published_payload_bytes_total")).toBe(bytes);
    const publish = { ...RS, grpc_method: "publish" };
    expect(delta("factline_grpc_server_started_total", publish)).toBe(3);
    expect(delta("factline_grpc_server_handled_total", { ...publish, grpc_code: "OK" })).toBe(3);
    expect(delta("factline_grpc_server_handling_seconds_count", publish)).toBe(3);
    expect(delta("factline_grpc_server_handling_seconds_sum", publish)).toBeGreaterThan(0);
    // Sequential publishes: one group each (publish calls of other tests may share them).
    expect(delta("factline_publish_group_facts_count")).toBeGreaterThanOrEqual(1);
    expect(delta("factline_publish_group_facts_sum")).toBeGreaterThanOrEqual(9);
    expect(delta("factline_publish_commit_seconds_count")).toBe(delta("factline_publish_group_facts_count"));
  });

  it("counts refused calls by their status code", async () => {
    const before = await scrape();
    await expect(fx.client.publish(factsMsg([fact({ ns: " " })]))).rejects.toThrow(/ns must be a non-blank/);
    const after = await scrape();
    const labels = { ...RS, grpc_method: "publish", grpc_code: "INVALID_ARGUMENT" };
    expect(after.value("factline_grpc_server_handled_total", labels)).toBe(
      before.value("factline_grpc_server_handled_total", labels) + 1,
    );
  });

  it("shows a follow as active, counts what it is delivered, and a caught-up follower as not behind", async () => {
    const ns = uniqueName("m-follow");
    const other = uniqueName("m-other");
    await fx.client.publish(factsMsg(Array.from({ length: 7 }, (_, i) => fact({ ns, payload: { i } }))));
    const before = await scrape();
    const sub = subscribe(fx.client, { specs: [{ ns }], continuous: true });
    try {
      await sub.waitForFacts(7);
      await fx.client.publish(factsMsg(Array.from({ length: 4 }, (_, i) => fact({ ns, payload: { live: i } }))));
      await sub.waitForFacts(11);
      // Facts of a namespace it does not read pass it by; it is not behind for them.
      await fx.client.publish(factsMsg(Array.from({ length: 20 }, () => fact({ ns: other }))));
      let after = await scrape();
      await until(async () => {
        after = await scrape();
        return after.value("factline_follower_lag_max_facts") === 0 && after.value("factline_tail_position_serial") > 0;
      }, "the follower to be seen as caught up");
      expect(after.value("factline_subscriptions_active", { mode: "follow" })).toBe(
        before.value("factline_subscriptions_active", { mode: "follow" }) + 1,
      );
      expect(
        after.sum("factline_facts_delivered_total", { mode: "follow" }) -
          before.sum("factline_facts_delivered_total", { mode: "follow" }),
      ).toBe(11);
      expect(after.value("factline_subscriptions_started_total", { mode: "follow" })).toBe(
        before.value("factline_subscriptions_started_total", { mode: "follow" }) + 1,
      );
      expect(after.value("factline_follower_lag_max_seconds")).toBe(0);
    } finally {
      sub.cancel();
      await sub.ended;
    }
    await until(
      async () => (await scrape()).value("factline_subscriptions_active", { mode: "follow" }) === 0,
      "the follow to end",
    );
  });

  it("counts a catch-up's facts as read in the catch-up phase (the catch-up read rate)", async () => {
    const ns = uniqueName("m-catchup");
    await fx.client.publish(factsMsg(Array.from({ length: 13 }, (_, i) => fact({ ns, payload: { i } }))));
    const before = await scrape();
    const done = await catchUp(fx.client, { specs: [{ ns }], continuous: false });
    expect(done.facts()).toHaveLength(13);
    const after = await scrape();
    const labels = { mode: "catchup", phase: "catchup" };
    expect(after.value("factline_facts_delivered_total", labels)).toBe(
      before.value("factline_facts_delivered_total", labels) + 13,
    );
    expect(after.value("factline_subscriptions_started_total", { mode: "catchup" })).toBe(
      before.value("factline_subscriptions_started_total", { mode: "catchup" }) + 1,
    );
    expect(after.value("factline_subscriptions_active", { mode: "catchup" })).toBe(0);
    const subscribeOk = { ...RS, grpc_method: "subscribe", grpc_code: "OK" };
    expect(after.value("factline_grpc_server_handled_total", subscribeOk)).toBe(
      before.value("factline_grpc_server_handled_total", subscribeOk) + 1,
    );
  });

  it("reports the database pools by role, reachability, the instance and the process", async () => {
    const m = await scrape();
    for (const role of ["reads", "lookups", "writes", "tail"]) {
      expect(m.types.get("factline_db_pool_connections")).toBe("gauge");
      expect(m.samples.some((s) => s.name === "factline_db_pool_connections" && s.labels.role === role)).toBe(true);
      expect(m.value("factline_db_pool_max_connections", { role })).toBeGreaterThan(0);
      expect(m.value("factline_db_pool_waiting_requests", { role })).toBe(0);
    }
    expect(m.value("factline_db_reachable")).toBe(1);
    expect(m.samples.find((s) => s.name === "factline_instance_info")?.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(m.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    for (const [name, type] of m.types) {
      if (name.startsWith("factline_") && type === "counter") expect(name).toMatch(/_total$/);
    }
  });
});

describe("the Prometheus text reader used above", () => {
  it("refuses what Prometheus refuses", () => {
    const ok = "# TYPE a_total counter\na_total 1\n";
    expect(parsePrometheusText(ok).value("a_total")).toBe(1);
    expect(() => parsePrometheusText("a_total 1\n")).toThrow(/without TYPE/);
    expect(() => parsePrometheusText(ok + "a_total 2\n")).toThrow(/twice/);
    expect(() => parsePrometheusText('# TYPE a gauge\na{x="\\q"} 1\n')).toThrow(/bad escape/);
    expect(() => parsePrometheusText("# TYPE a gauge\na one\n")).toThrow(/not a number/);
    expect(() => parsePrometheusText("# TYPE a gauge\na 1")).toThrow(/line feed/);
    const histogram = (inf: number) =>
      `# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} ${inf}\nh_sum 3\nh_count 3\n`;
    expect(() => parsePrometheusText(histogram(3))).not.toThrow();
    expect(() => parsePrometheusText(histogram(1))).toThrow(/not cumulative/);
    expect(() => parsePrometheusText(histogram(4))).toThrow(/\+Inf bucket 4 but _count 3/);
  });
});
