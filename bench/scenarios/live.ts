/**
 * Live latency: publish → subscriber time with 1, 100 and 1,000 follow subscriptions, at 100 and
 * 1,000 facts/s. Every follower follows the namespace being published (full fan-out, the store's
 * worst case). A few "probe" followers decode each fact and read its send time; the rest are load
 * that only counts bytes' worth of facts in a worker thread. Send and receive times come from one
 * monotonic clock (process.hrtime), in the same process.
 */
import { randomBytes } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { decodeNotification, NOTIFICATION, publish, subscriptionBytes } from "../client/factcast";
import { FACT_STORE, GrpcConnection, type StreamHandle } from "../client/grpc";
import type { LoadFollowersData } from "../client/load-followers";
import { startTsWorker } from "../client/ts-worker";
import type { BenchContext } from "../context";
import { createBenchDatabase } from "../env/postgres";
import { startStoreProcess, type StoreProcess } from "../env/store";
import { makeFact } from "../facts";
import { CpuMeter } from "../measure";
import { percentile, windows } from "../stats";

/** Followers that decode and time every fact; more would only add client work, not information. */
const PROBES = 4;
/** FactCast clients are separate applications: at most this many subscriptions share a connection. */
const STREAMS_PER_CONNECTION = 100;
/** The publisher wakes this often and sends what is due, so the rate is smooth at 1,000/s. */
const TICK_MS = 5;
/** Published but not recorded first: the followers' first live reads and JIT settle. */
const WARMUP_MS = 500;
/** After publishing stops, followers get this long to receive the rest before it counts as lost. */
const GRACE_MS = 3_000;
/** The issue's bound for 1,000 followers: a fact counts as on time when every probe has it within this. */
const ON_TIME_MS = 1_000;
/**
 * Publishes still unanswered before the publisher stops adding more: a store that cannot take the
 * rate would otherwise build a backlog that takes longer to drain than the run itself. The rate the
 * store actually took is reported beside the latency.
 */
const MAX_INFLIGHT = 1_000;
/** Subscribing 1,000 followers on a busy two-core machine takes a while; beyond this it is broken. */
const CATCHUP_TIMEOUT_MS = 60_000;

export async function liveScenario(ctx: BenchContext): Promise<void> {
  const db = await createBenchDatabase(ctx.postgres.adminUrl, "live");
  const store = await startStoreProcess({ databaseUrl: db.url, cpuProfileDir: ctx.cpuProfileDir });
  try {
    for (const followers of ctx.opts.liveFollowers) {
      for (const rate of ctx.opts.liveRates) {
        ctx.log(`live: ${followers} follower(s) at ${rate} facts/s for ${ctx.opts.liveSeconds} s`);
        await oneConfiguration(ctx, store, followers, rate);
      }
    }
  } finally {
    await store.stop();
    await db.drop();
  }
}

async function oneConfiguration(
  ctx: BenchContext,
  store: StoreProcess,
  followers: number,
  rate: number,
): Promise<void> {
  const ns = `live-${followers}-${rate}-${randomBytes(3).toString("hex")}`;
  const probes = Math.min(PROBES, followers);
  const probeConn = new GrpcConnection(store.url);
  const publisher = new GrpcConnection(store.url);
  const latencies: number[] = [];
  const received = new Array<number>(probes).fill(0);
  let recordFrom = Infinity;
  let caughtUp = 0;
  const handles: StreamHandle[] = [];
  const request = subscriptionBytes([{ ns }], true);
  let probesReady!: () => void;
  const probesCaughtUp = new Promise<void>((r) => (probesReady = r));

  let probeErrors = 0;
  for (let p = 0; p < probes; p++) {
    handles.push(
      probeConn.serverStream(`${FACT_STORE}/subscribe`, request, (bytes) => {
        const now = process.hrtime.bigint();
        const n = decodeNotification(bytes);
        if (n.type === NOTIFICATION.Catchup && ++caughtUp === probes) probesReady();
        const facts = n.type === NOTIFICATION.Facts ? (n.facts?.fact ?? []) : n.fact ? [n.fact] : [];
        for (const f of facts) {
          received[p]++;
          const sent = BigInt((JSON.parse(f.header) as { meta: { sent: string } }).meta.sent);
          if (Number(sent) >= recordFrom) latencies.push(Number(now - sent) / 1e6);
        }
      }),
    );
    handles[p].done.catch(() => probeErrors++);
  }
  const loads = startLoadFollowers(store.url, ns, followers - probes);
  try {
    await withTimeout(
      Promise.all([probesCaughtUp, loads.caughtUp]),
      CATCHUP_TIMEOUT_MS,
      () => `${followers} followers to catch up (${caughtUp} of ${probes} probes; load followers: ${loads.progress()})`,
    );
    const meter = new CpuMeter({ storePid: store.pid, postmasterPid: ctx.postgres.postmasterPid });
    let sent = 0;
    let timed = 0;
    let publishMs: number[] = [];
    let achievedRate = 0;
    let loadCount = { facts: 0, errors: 0 };
    await meter.measure(async () => {
      ({ sent, timed, publishMs, achievedRate } = await publishAtRate(
        publisher,
        ns,
        rate,
        WARMUP_MS + ctx.opts.liveSeconds * 1000,
        (startNs) => {
          recordFrom = Number(startNs) + WARMUP_MS * 1e6;
        },
      ));
      await waitUntil(() => received.every((r) => r >= sent), GRACE_MS);
      loadCount = await loads.stop();
      // Store CPU per delivered fact: every fact that reached any follower counts once per follower.
      return { ops: sent, facts: received.reduce((a, b) => a + b, 0) + loadCount.facts };
    });
    const delivered = (received.reduce((a, b) => a + b, 0) + loadCount.facts) / Math.max(1, sent * followers);
    // Of the deliveries the probes should have timed, those that arrived within ON_TIME_MS (a
    // delivery that never came counts as late).
    const onTime = latencies.filter((l) => l <= ON_TIME_MS).length / Math.max(1, timed * probes);
    const parts = windows(latencies, Math.max(3, ctx.opts.reps));
    const throttled =
      achievedRate < rate * 0.95
        ? `; the store took only ${Math.round(achievedRate)} facts/s (publisher capped at ${MAX_INFLIGHT} unanswered calls)`
        : "";
    const lost =
      delivered < 0.999 ? `; only ${(delivered * 100).toFixed(1)} % delivered within ${GRACE_MS / 1000} s` : "";
    const client = `lean HTTP/2 gRPC: 1 publisher (single-fact publishes), ${probes} decoding probe(s), ${followers - probes} counting follower(s) in a worker`;
    ctx.results.add({
      id: `live.f${followers}.r${rate}.onTime`,
      scenario: "Live latency",
      name: `${followers} follower${followers === 1 ? "" : "s"} at ${rate.toLocaleString("en")} facts/s, delivered within ${ON_TIME_MS / 1000} s`,
      system: "factline (gRPC)",
      unit: "%",
      higherIsBetter: true,
      samples: [Math.floor(onTime * 100_000) / 1000],
      client,
      cpu: meter.share(),
      note: `${latencies.filter((l) => l <= ON_TIME_MS).length.toLocaleString("en")} of ${(timed * probes).toLocaleString("en")} probe deliveries; ${(delivered * 100).toFixed(2)} % of all ${(sent * followers).toLocaleString("en")} deliveries arrived within ${GRACE_MS / 1000} s of the last publish`,
    });
    for (const p of [50, 99]) {
      ctx.results.add({
        id: `live.f${followers}.r${rate}.p${p}`,
        scenario: "Live latency",
        name: `${followers} follower${followers === 1 ? "" : "s"} at ${rate.toLocaleString("en")} facts/s, p${p}`,
        system: "factline (gRPC)",
        unit: "ms",
        higherIsBetter: false,
        samples: parts.map((w) => percentile(w, p)),
        client,
        cpu: meter.share(),
        // The publish call's own time shows how much of the latency is the publish path, not fan-out.
        note: `publish call p50 ${percentile(publishMs, 50).toFixed(1)} ms, p99 ${percentile(publishMs, 99).toFixed(1)} ms; spread over ${parts.length} windows of ${latencies.length.toLocaleString("en")} timed deliveries${throttled}${lost}${loadCount.errors + probeErrors ? `; ${loadCount.errors + probeErrors} follower streams failed` : ""}`,
      });
    }
  } finally {
    handles.forEach((h) => h.cancel());
    await loads.stop().catch(() => {});
    probeConn.close();
    publisher.close();
  }
}

/**
 * Publishes one fact per call at `rate`/s for `durationMs`; returns how many were published, and how
 * many of them after the warm-up (the ones the probes time).
 */
async function publishAtRate(
  conn: GrpcConnection,
  ns: string,
  rate: number,
  durationMs: number,
  started: (ns: bigint) => void,
): Promise<{ sent: number; timed: number; publishMs: number[]; achievedRate: number }> {
  const t0 = process.hrtime.bigint();
  const timedFrom = t0 + BigInt(WARMUP_MS) * 1_000_000n;
  let timed = 0;
  started(t0);
  const inflight = new Set<Promise<void>>();
  const publishMs: number[] = [];
  let sent = 0;
  let skipped = 0;
  for (;;) {
    const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (elapsedMs >= durationMs) break;
    const due = Math.floor((elapsedMs / 1000) * rate) - sent - skipped;
    for (let i = 0; i < due; i++) {
      if (inflight.size >= MAX_INFLIGHT) {
        skipped++;
        continue;
      }
      const at = process.hrtime.bigint();
      if (at >= timedFrom) timed++;
      const fact = makeFact({ ns, type: "Ticked", meta: { sent: at.toString() } });
      const call = publish(conn, [fact]).finally(() => {
        inflight.delete(call);
        publishMs.push(Number(process.hrtime.bigint() - at) / 1e6);
      });
      inflight.add(call);
      sent++;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(inflight);
  return { sent, timed, publishMs, achievedRate: sent / (durationMs / 1000) };
}

function startLoadFollowers(url: string, ns: string, count: number) {
  const data: LoadFollowersData = { url, ns, count, streamsPerConnection: STREAMS_PER_CONNECTION };
  const worker: Worker = startTsWorker(new URL("../client/load-followers.ts", import.meta.url), data);
  let done: Promise<{ facts: number; errors: number }> | undefined;
  let progress = "the worker has not started";
  const caughtUp = new Promise<void>((resolve, reject) => {
    worker.on("message", (m: { kind: string; caughtUp: number; errors: number; firstError?: string }) => {
      if (m.kind === "caught-up") resolve();
      if (m.kind === "progress")
        progress = `${m.caughtUp} of ${count} caught up, ${m.errors} failed${m.firstError ? ` (first: ${m.firstError})` : ""}`;
    });
    worker.once("error", reject);
  });
  return {
    caughtUp,
    progress: () => progress,
    stop: () =>
      (done ??= new Promise((resolve) => {
        // A worker that died cannot answer; its followers then count as lost, not as a hang.
        const dead = setTimeout(() => resolve({ facts: 0, errors: count }), GRACE_MS);
        worker.on("message", (m: { kind: string; facts: number; errors: number }) => {
          if (m.kind !== "done") return;
          clearTimeout(dead);
          void worker.terminate();
          resolve({ facts: m.facts, errors: m.errors });
        });
        worker.postMessage("stop");
      })),
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition() && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms)),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
