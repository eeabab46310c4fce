/**
 * Catch-up served by a read replica (README "Read replicas") beside the same catch-up served by the
 * primary, in one run: a PostgreSQL 15 primary with a streaming hot standby (the embedded 18 ships no
 * pg_basebackup), one store reading the primary only and one with FACTLINE_READ_URLS naming the
 * standby. The CPU column's PostgreSQL share is the primary's: what offloading saves it.
 */
import { catchUp, publish } from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import type { BenchContext } from "../context";
import { createBenchDatabase } from "../env/postgres";
import { startStoreProcess, type StoreProcess } from "../env/store";
import { makeFact } from "../facts";
import { interleaved, type Variant } from "../measure";
import { ReplicatedCluster, replicationMissing } from "../../tests/replication/support/replication";

/** Facts in the replicated store: enough for a catch-up of seconds, seeded in seconds. */
const SCALE = { quick: 50_000, full: 200_000 };
const SEED_BATCH = 500;

export async function replicaScenario(ctx: BenchContext): Promise<void> {
  const missing = replicationMissing();
  if (missing) {
    ctx.log(`replica: skipped (${missing})`);
    return;
  }
  const scale = ctx.opts.quick ? SCALE.quick : SCALE.full;
  ctx.log(`replica: starting a PostgreSQL 15 primary and hot standby, seeding ${scale.toLocaleString("en")} facts`);
  const cluster = await ReplicatedCluster.start();
  const stores: StoreProcess[] = [];
  const conns: GrpcConnection[] = [];
  try {
    const db = await createBenchDatabase(cluster.primaryUrl(), "replica");
    await cluster.waitForReplay();
    const primaryOnly = await startStoreProcess({ databaseUrl: db.url });
    stores.push(primaryOnly);
    const withReplica = await startStoreProcess({
      databaseUrl: db.url,
      env: { FACTLINE_READ_URLS: cluster.standbyUrl(db.name) },
    });
    stores.push(withReplica);
    const seeding = new GrpcConnection(primaryOnly.url);
    conns.push(seeding);
    for (let i = 0; i < scale; i += SEED_BATCH) {
      await publish(
        seeding,
        Array.from({ length: Math.min(SEED_BATCH, scale - i) }, () => makeFact({ ns: "replica", type: "Seeded" })),
      );
    }
    await cluster.waitForReplay();
    // The store polls the replica's position twice a second; give it two polls.
    await new Promise((r) => setTimeout(r, 1_200));
    const primaryPid = await cluster.primaryPid();
    const onPrimary = new GrpcConnection(primaryOnly.url);
    const onReplica = new GrpcConnection(withReplica.url);
    conns.push(onPrimary, onReplica);
    const run = (conn: GrpcConnection) => async () => {
      const t0 = performance.now();
      const facts = await catchUp(conn, [{ ns: "*" }]);
      if (facts !== scale) throw new Error(`a catch-up delivered ${facts} facts, expected ${scale}`);
      return { value: facts / ((performance.now() - t0) / 1000), ops: facts, facts };
    };
    const variants: Variant[] = [
      {
        key: "replica.primary",
        subjects: { storePid: primaryOnly.pid, postmasterPid: primaryPid },
        run: run(onPrimary),
      },
      {
        key: "replica.replica",
        subjects: { storePid: withReplica.pid, postmasterPid: primaryPid },
        run: run(onReplica),
      },
    ];
    const measured = await interleaved(variants, ctx.opts.reps);
    const name = `all ${scale.toLocaleString("en")} facts, PostgreSQL 15 primary + hot standby`;
    const add = (suffix: string, system: string, note: string) => {
      const m = measured.get(`replica.${suffix}`)!;
      ctx.results.add({
        id: `catchup.replica.${suffix}`,
        scenario: "Catch-up from a read replica",
        name,
        system,
        unit: "facts/s",
        higherIsBetter: true,
        samples: m.samples,
        cpu: m.cpu,
        client: "lean HTTP/2 gRPC, 1 connection (facts counted, not decoded)",
        note,
      });
    };
    add("primary", "factline, primary only", "CPU: the store and the primary PostgreSQL");
    add("replica", "factline, FACTLINE_READ_URLS", "CPU: the store and the primary PostgreSQL (the standby reads)");
  } finally {
    conns.forEach((c) => c.close());
    await Promise.all(stores.map((s) => s.stop().catch(() => {})));
    await cluster.close();
  }
}
