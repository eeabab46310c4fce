/**
 * Lookups on the seeded store: fact by serial and by id, enumerateNamespaces/Types, the admin
 * catalog, and a state token followed by a conditional publish — one call at a time, so each
 * latency is the store's answer time plus one loopback round trip.
 */
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetCatalogRequestSchema, GetCatalogResponseSchema } from "../../gen/factline/admin/v1/admin_pb";
import {
  enumerateNamespaces,
  enumerateTypes,
  fetchById,
  fetchBySerial,
  publishConditional,
  stateFor,
} from "../client/factcast";
import { GrpcConnection } from "../client/grpc";
import { CLIENT, type BenchContext } from "../context";
import { makeFact, SEED_NAMESPACES } from "../facts";
import { CpuMeter } from "../measure";
import { percentile, windows } from "../stats";

/** Unrecorded calls per kind first: JIT, prepared plans and the connection settle. */
const WARMUP_CALLS = 20;
/** Conditional publishes write here, away from the namespaces the catch-up counts. */
const CONDITIONAL_NS = "bench-conditional";

interface Kind {
  key: string;
  name: string;
  call(i: number): Promise<void>;
}

export async function lookupsScenario(ctx: BenchContext): Promise<void> {
  const seeded = await ctx.seeded();
  const conn = new GrpcConnection(seeded.store.url);
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  const nsOf = (i: number) => `ns${String(i % SEED_NAMESPACES).padStart(2, "0")}`;
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`lookup returned nothing: ${what}`);
  };
  const kinds: Kind[] = [
    {
      key: "bySerial",
      name: "fact by serial",
      call: async () =>
        expect(await fetchBySerial(conn, BigInt(1 + Math.floor(Math.random() * seeded.scale))), "fetchBySerial"),
    },
    {
      key: "byId",
      name: "fact by id",
      call: async () => expect(await fetchById(conn, pick(seeded.sampleIds)), "fetchById"),
    },
    {
      key: "namespaces",
      name: "enumerateNamespaces",
      call: async () => expect((await enumerateNamespaces(conn)).length > 0, "enumerateNamespaces"),
    },
    {
      key: "types",
      name: "enumerateTypes",
      call: async (i) => expect((await enumerateTypes(conn, nsOf(i))).length > 0, "enumerateTypes"),
    },
    {
      key: "catalog",
      name: "admin catalog (all namespaces)",
      call: async () => {
        const req = toBinary(GetCatalogRequestSchema, create(GetCatalogRequestSchema, {}));
        const res = fromBinary(
          GetCatalogResponseSchema,
          await conn.unary("/factline.admin.v1.CatalogService/GetCatalog", req),
        );
        expect(res.entries.length > 0, "GetCatalog");
      },
    },
    {
      key: "conditional",
      name: "state token + conditional publish",
      call: async () => {
        const aggId = randomUUID();
        const token = await stateFor(conn, [{ ns: CONDITIONAL_NS, aggIds: [aggId] }]);
        expect(
          await publishConditional(conn, [makeFact({ ns: CONDITIONAL_NS, type: "Reserved", aggId })], token),
          "publishConditional",
        );
      },
    },
  ];
  const calls = ctx.opts.lookupCalls;
  const scale = seeded.scale.toLocaleString("en");
  ctx.log(`lookups: ${kinds.length} kinds × ${calls} calls at ${scale} facts`);
  try {
    for (const kind of kinds) {
      for (let i = 0; i < WARMUP_CALLS; i++) await kind.call(i);
      const meter = new CpuMeter({ storePid: seeded.store.pid, postmasterPid: ctx.postgres.postmasterPid });
      const latencies: number[] = [];
      await meter.measure(async () => {
        for (let i = 0; i < calls; i++) {
          const t0 = performance.now();
          await kind.call(i);
          latencies.push(performance.now() - t0);
        }
        return { ops: calls };
      });
      // Windows of consecutive calls give the spread; the median of window p99s is the figure.
      const parts = windows(latencies, ctx.opts.reps);
      for (const p of [50, 99]) {
        ctx.results.add({
          id: `lookups.${kind.key}.p${p}`,
          scenario: "Lookups",
          name: `${kind.name} p${p} (${scale} facts)`,
          system: "factline (gRPC)",
          unit: "ms",
          higherIsBetter: false,
          samples: parts.map((w) => percentile(w, p)),
          client: `${CLIENT.lean(1)}, sequential calls`,
          cpu: meter.share(),
        });
      }
    }
  } finally {
    conn.close();
  }
}
