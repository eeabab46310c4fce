/**
 * Catch-up: a full catch-up subscription over gRPC of the seeded store, and of one namespace among
 * many, beside raw PostgreSQL reading the same rows with a cursor (the store's query on its own
 * table, and the leanest read of a plain copy) and Emmett reading its copy.
 */
import { connect, cursorRead, plainCursorRead } from "../baselines/raw-pg";
import { EMMETT_READ_BATCH } from "../baselines/emmett";
import { catchUp } from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import type { BenchContext } from "../context";
import { SEED_NAMESPACES, TARGET_NAMESPACE } from "../facts";
import { interleaved, type Variant } from "../measure";

/**
 * Rows per raw cursor read: the store's reader aims at ~2 MB per read (store/storage/read.ts), which
 * is ~1,500 rows of these ~1.3 KB facts; the raw read uses the same so both pay the same round trips.
 */
const RAW_ROWS_PER_READ = 1_500;
/**
 * Emmett's global read has no index on its position (each batch scans and sorts its messages
 * table), so a full read of a large store can take hours; each repetition stops after this long
 * and the rate is what it read meanwhile (every batch costs about the same, so the rate holds).
 */
const EMMETT_MAX_MS = { quick: 2_500, full: 20_000 };

export async function catchupScenario(ctx: BenchContext): Promise<void> {
  const seeded = await ctx.seeded();
  const conn = new GrpcConnection(seeded.store.url);
  const raw = await connect(seeded.db.url);
  const emmett = seeded.emmett;
  const expected = { all: seeded.scale, ns: Math.ceil(seeded.scale / SEED_NAMESPACES) };
  const emmettMaxMs = ctx.opts.quick ? EMMETT_MAX_MS.quick : EMMETT_MAX_MS.full;
  const storeSubjects = { storePid: seeded.store.pid, postmasterPid: ctx.postgres.postmasterPid };
  const dbOnly = { postmasterPid: ctx.postgres.postmasterPid };
  const emmettNotes = new Map<string, string>();
  try {
    const variants: Variant[] = [];
    for (const scope of ["all", "ns"] as const) {
      const specs = [{ ns: scope === "all" ? "*" : TARGET_NAMESPACE }];
      const ns = scope === "all" ? undefined : TARGET_NAMESPACE;
      variants.push({
        key: `catchup.${scope}.factline`,
        subjects: storeSubjects,
        run: () => timed(async () => check(await catchUp(conn, specs), expected[scope], "factline catch-up")),
      });
      variants.push({
        key: `catchup.${scope}.raw-cursor`,
        subjects: dbOnly,
        run: () =>
          timed(async () => check(await cursorRead(raw, ns, RAW_ROWS_PER_READ), expected[scope], "raw cursor read")),
      });
      variants.push({
        key: `catchup.${scope}.plain-cursor`,
        subjects: dbOnly,
        run: () =>
          timed(async () =>
            check(await plainCursorRead(raw, ns, RAW_ROWS_PER_READ), expected[scope], "plain cursor read"),
          ),
      });
      if (emmett) {
        variants.push({
          key: `catchup.${scope}.emmett`,
          subjects: dbOnly,
          run: () =>
            timed(async () => {
              const r = await emmett.readAll(ns, emmettMaxMs);
              if (!r.complete) {
                emmettNotes.set(
                  scope,
                  `stopped after ${emmettMaxMs / 1000} s having read ${r.read.toLocaleString("en")} of ${seeded.scale.toLocaleString("en")} events; rate over what it read`,
                );
              }
              return r.kept;
            }),
        });
      }
    }
    ctx.log(
      `catch-up: ${variants.length} variants × ${ctx.opts.reps} reps over ${seeded.scale.toLocaleString("en")} facts`,
    );
    const measured = await interleaved(variants, ctx.opts.reps);
    for (const scope of ["all", "ns"] as const) {
      const name =
        scope === "all"
          ? `all ${seeded.scale.toLocaleString("en")} facts`
          : `one namespace of ${SEED_NAMESPACES} (${expected.ns.toLocaleString("en")} facts)`;
      const add = (system: string, suffix: string, client: string, note?: string) => {
        const m = measured.get(`catchup.${scope}.${suffix}`);
        if (!m) return;
        ctx.results.add({
          id: `catchup.${scope}.${suffix}`,
          scenario: "Catch-up",
          name,
          system,
          unit: "facts/s",
          higherIsBetter: true,
          samples: m.samples,
          cpu: m.cpu,
          client,
          note,
        });
      };
      add("factline (gRPC)", "factline", "lean HTTP/2 gRPC, 1 connection (facts counted, not decoded)");
      add(
        "raw PostgreSQL cursor",
        "raw-cursor",
        `node-postgres + pg-cursor, ${RAW_ROWS_PER_READ} rows/read`,
        "same query shape as the store's reader",
      );
      add(
        "raw PostgreSQL cursor, plain table",
        "plain-cursor",
        `node-postgres + pg-cursor, ${RAW_ROWS_PER_READ} rows/read, rows as arrays of unparsed text`,
        "plain table: the same rows, the store's indexes, no triggers; no casts, no row objects",
      );
      add(
        "Emmett",
        "emmett",
        `Emmett readMessagesBatch, ${EMMETT_READ_BATCH}/batch (its consumers' default)`,
        [
          scope === "ns" ? "no server-side category filter: reads everything, filters in memory" : undefined,
          emmettNotes.get(scope),
        ]
          .filter(Boolean)
          .join("; ") || undefined,
      );
    }
  } finally {
    conn.close();
    await raw.end().catch(() => {});
  }
}

async function timed(work: () => Promise<number>): Promise<{ value: number; ops: number; facts: number }> {
  const t0 = performance.now();
  const facts = await work();
  return { value: facts / ((performance.now() - t0) / 1000), ops: facts, facts };
}

function check(got: number, expected: number, what: string): number {
  // The seeder's namespace split is exact up to rounding; a short read means a broken stream.
  if (Math.abs(got - expected) > 1) throw new Error(`${what} delivered ${got} facts, expected ${expected}`);
  return got;
}
