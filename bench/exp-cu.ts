// temporary experiment (not committed)
import { readFileSync } from "node:fs";
import { catchUp } from "./client/factcast";
import { GrpcConnection } from "./client/grpc";
import { startBenchPostgres } from "./env/postgres";
import { seedStore } from "./seeded-store";
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
const pgs = await startBenchPostgres(console.log, process.env.DATABASE_URL);
const seeded = await seedStore(pgs, 100_000, { withEmmett: false, log: console.log, cpuProfileDir: process.env.PROF });
const conn = new GrpcConnection(seeded.store.url);
for (let r = 0; r < 4; r++) {
  const c0 = cpu(seeded.store.pid);
  const t0 = performance.now();
  const n = await catchUp(conn, [{ ns: "*" }]);
  const ms = performance.now() - t0;
  console.log(
    `catch-up ${n} facts: ${((n / ms) * 1000).toFixed(0)}/s, store CPU ${(((cpu(seeded.store.pid) - c0) / n) * 1000).toFixed(1)} µs/fact`,
  );
}
conn.close();
await seeded.close();
await pgs.stop?.();
process.exit(0);
