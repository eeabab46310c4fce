/**
 * Transformed catch-up (README "Transformations"): one type's facts, published as version 1, caught
 * up as published and as version 2 through a registered upcast — cold (the transformation cache
 * emptied before the read, so every fact runs the script in the sandbox) and warm (right after a cold
 * read, so every fact comes from the cache) — in the same run and interleaved, so the ratios hold on
 * a shared machine. FactCast's own figures for 150,000 facts: 4.2 s as published, 13.5 s cold and
 * 4.4 s warm (3.2× and 1.05× the untransformed time).
 */
import { createStoreClient } from "../../factcast/client";
import { connect } from "../baselines/raw-pg";
import { catchUp, publish } from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import type { BenchContext } from "../context";
import { createBenchDatabase } from "../env/postgres";
import { startStoreProcess } from "../env/store";
import { makeFacts } from "../facts";
import { interleaved, type Variant } from "../measure";

/** The 100,000 facts; a quick run reads fewer (the ratios, not the totals, are the point). */
const FACTS = { quick: 10_000, full: 100_000 };
/** Facts per publish: one request of ~1 MB, well under the store's message limit. */
const PUBLISH_BATCH = 1_000;
const NS = "bench-transform";
const TYPE = "OrderPlaced";
/** A realistic upcast: a derived field, the payload otherwise passed on. */
const UPCAST = `function (e) { e.label = e.orderId + "#" + e.seq; }`;
/** Half-second polls for the cold read's cache writes to stop (at most a minute). */
const WRITES_SETTLE_POLLS = 120;
const SETTLED_AFTER_POLLS = 10;

export async function transformScenario(ctx: BenchContext): Promise<void> {
  const count = ctx.opts.quick ? FACTS.quick : FACTS.full;
  const db = await createBenchDatabase(ctx.postgres.adminUrl, "transform");
  // The cache must hold every transformed payload, or the warm read would measure its eviction.
  const store = await startStoreProcess({
    databaseUrl: db.url,
    cpuProfileDir: ctx.cpuProfileDir,
    env: {
      FACTLINE_TRANSFORMATION_CACHE_MB: String(Math.ceil((count * 2 * 1024) / 1024 / 1024) + 64),
      // The cache writer's warnings (writes behind or stalled) say why a warm read would not be warm.
      FACTLINE_LOG: "warn",
    },
    echo: true,
  });
  const conn = new GrpcConnection(store.url);
  const admin = createStoreClient({ url: store.url, clientId: "bench-transform" });
  const raw = await connect(db.url);
  try {
    const schema = (version: number, required: string[]) =>
      admin.registry.registerSchema({
        key: { ns: NS, type: TYPE, version },
        schemaJson: JSON.stringify({ type: "object", required }),
      });
    await schema(1, ["orderId", "seq"]);
    await schema(2, ["orderId", "seq", "label"]);
    await admin.transformations.registerTransformation({
      key: { ns: NS, type: TYPE, fromVersion: 1, toVersion: 2 },
      code: UPCAST,
    });
    ctx.log(`transform: publishing ${count.toLocaleString("en")} facts of ${NS}/${TYPE} v1`);
    for (let done = 0; done < count; done += PUBLISH_BATCH) {
      await publish(conn, makeFacts(Math.min(PUBLISH_BATCH, count - done), { ns: NS, type: TYPE, version: 1 }));
    }

    const subjects = { storePid: store.pid, postmasterPid: ctx.postgres.postmasterPid };
    const read = (version: number) => () =>
      timed(async () => check(await catchUp(conn, [{ ns: NS, type: TYPE, version }]), count));
    const stats = () => admin.transformations.getTransformationStats({});
    // The store writes the cold read's results behind the stream: the cold variant waits (its CPU
    // counted, its rate not) until the writes stop, so the warm read finds what was written.
    // Done when every result is in, or when nothing was written for SETTLED_AFTER_POLLS polls (a
    // statement of a loaded PostgreSQL may take longer than one); what the cold read left is logged.
    const writesSettled = async () => {
      let entries = 0n;
      for (let last = -1n, still = 0, i = 0; i < WRITES_SETTLE_POLLS; i++) {
        const now = await stats();
        entries = now.cacheEntries;
        if (entries >= BigInt(count)) break;
        still = now.cacheWrites === last ? still + 1 : 0;
        if (still >= SETTLED_AFTER_POLLS) break;
        last = now.cacheWrites;
        await new Promise((r) => setTimeout(r, 500));
      }
      ctx.log(`transform: cold read left ${entries} of ${count} results in the cache`);
    };
    const variants: Variant[] = [
      { key: "transform.published", subjects, run: read(0) },
      {
        key: "transform.cold",
        subjects,
        run: async () => {
          await raw.query("TRUNCATE transformation_cache");
          const result = await read(2)();
          await writesSettled();
          return result;
        },
      },
      // Runs right after the cold read (interleaved keeps the order); what the cache served is logged.
      {
        key: "transform.warm",
        subjects,
        run: async () => {
          const before = await stats();
          const result = await read(2)();
          const after = await stats();
          ctx.log(
            `transform: warm read: ${after.cacheHits - before.cacheHits} cache hits, ${after.cacheMisses - before.cacheMisses} misses, ${after.transformedFacts - before.transformedFacts} facts through the sandbox`,
          );
          return result;
        },
      },
    ];
    ctx.log(`transform: ${variants.length} variants × ${ctx.opts.reps} reps over ${count.toLocaleString("en")} facts`);
    const measured = await interleaved(variants, ctx.opts.reps);
    const name = `${count.toLocaleString("en")} facts of one type, v1 read as`;
    const rows: Array<[string, string, string]> = [
      ["published", "factline, as published (version 0)", "no transformation"],
      ["cold", "factline, as v2, cold cache", "every fact through the upcast in the sandbox; cache emptied first"],
      ["warm", "factline, as v2, warm cache", "every payload from the transformation cache"],
    ];
    for (const [suffix, system, note] of rows) {
      const m = measured.get(`transform.${suffix}`);
      if (!m) continue;
      ctx.results.add({
        id: `transform.${suffix}`,
        scenario: "Transformed catch-up",
        name,
        system,
        unit: "facts/s",
        higherIsBetter: true,
        samples: m.samples,
        cpu: m.cpu,
        client: "lean HTTP/2 gRPC, 1 connection (facts counted, not decoded)",
        note,
      });
    }
  } finally {
    conn.close();
    admin.close();
    await raw.end().catch(() => {});
    await store.stop().catch(() => {});
    await db.drop().catch(() => {});
  }
}

async function timed(work: () => Promise<number>): Promise<{ value: number; ops: number; facts: number }> {
  const t0 = performance.now();
  const facts = await work();
  return { value: facts / ((performance.now() - t0) / 1000), ops: facts, facts };
}

function check(got: number, expected: number): number {
  if (got !== expected) throw new Error(`transformed catch-up delivered ${got} facts, expected ${expected}`);
  return got;
}
