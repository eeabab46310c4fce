// The probe the abuse tests run their abuse under (tests/security/abuse.int.spec.ts,
// tests/security/abuse-schemas.int.spec.ts): a latestSerial call every 100 ms from a process and a
// connection of its own (tests/security/latency-probe.mjs), and the store's RSS sampled from /proc.
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parsePrometheusText } from "../operating/support/prometheus.js";
import type { StoreFixture } from "../support/store.js";

export const MiB = 1024 * 1024;
// latestSerial must be answered within 1 s (issue 13). The probe runs in a process of its own, so a
// late answer is the store's: every one is listed with when it was sent and answered, and every one
// within 1 s is asserted. Before the front door worked in slices (store/grpc/slices.ts) the store
// left one probe 1.25 s unanswered on a clean two-core CI run, while 10,000 streams opened at once
// and again while they all ended at their stall time. On an oversubscribed machine (OVERLOADED)
// latency is printed, not asserted: there the store and the probe lose the CPU to others (a load
// of 20 on 2 cores was seen while these were written, with single probes at 2–4 s).
const ANSWER_MS = 1_000;
const PROBE_GIVE_UP_MS = 5_000;
const OVERLOADED = 4;

export interface Figures {
  probes: number;
  latencyMs: { p50: number; p95: number; max: number };
  /** When the slowest probe was sent, in ms from the abuse's start. */
  slowestSentAtMs: number;
  failures: string[];
  /** Probes answered, but later than ANSWER_MS. */
  late: string[];
  rssMiB: { before: number; peak: number; after: number };
}

/** One probe as tests/security/latency-probe.mjs reports it: sent and answered at (epoch ms), its latency. */
interface ProbeResult {
  sentAt: number;
  at: number;
  ms: number;
  ok?: boolean;
  error?: string;
}

/** What the probe needs of a running store. */
export class AbuseProbe {
  constructor(private readonly fx: () => StoreFixture) {}

  rss(): number {
    const pid = this.fx().store.process.pid!;
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  }

  /**
   * Runs `abuse` while probing latestSerial and sampling RSS; `settled` is awaited after the abuse
   * (e.g. until the store has let go of what it held) before the "after" RSS is read.
   */
  async underAbuse(name: string, abuse: () => Promise<void>, settled?: () => Promise<void>): Promise<Figures> {
    const probe = fork(
      fileURLToPath(new URL("./latency-probe.mjs", import.meta.url)),
      [this.fx().store.url, "100", String(PROBE_GIVE_UP_MS)],
      { stdio: ["ignore", "inherit", "inherit", "ipc"] },
    );
    const results: ProbeResult[] = [];
    probe.on("message", (m: ProbeResult | "started" | "stopped") => {
      if (typeof m === "object") results.push(m);
    });
    // Started (node and its modules loaded) before the abuse, so that the first probes are not lost.
    await Promise.race([
      once(probe, "message"),
      once(probe, "exit").then(([code]) => {
        throw new Error(`the latency probe exited (code ${code}) before it started`);
      }),
    ]);
    const before = this.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, this.rss())), 50);
    const started = Date.now();
    try {
      await abuse();
      await settled?.();
    } finally {
      const exited = once(probe, "exit");
      probe.send("stop");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (probe.exitCode === null) probe.kill();
      clearInterval(sampler);
    }
    peak = Math.max(peak, this.rss());
    const after = this.rss();
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const slowest = results.reduce<(typeof results)[number] | undefined>(
      (w, r) => (w && w.ms >= r.ms ? w : r),
      undefined,
    );
    const figures: Figures = {
      probes: results.length,
      latencyMs: {
        p50: round(latencies[Math.floor(latencies.length / 2)] ?? NaN),
        p95: round(latencies[Math.floor(latencies.length * 0.95)] ?? NaN),
        max: round(latencies[latencies.length - 1] ?? NaN),
      },
      slowestSentAtMs: slowest ? slowest.sentAt - started : NaN,
      // Each failure and each answer later than ANSWER_MS, with when it was sent and answered,
      // counted from the abuse's start.
      failures: results
        .filter((r) => !r.ok)
        .map((r) => `${round(r.ms)} ms (sent at +${r.sentAt - started} ms): ${r.error}`),
      late: results
        .filter((r) => r.ok && r.ms > ANSWER_MS)
        .map((r) => `${round(r.ms)} ms (sent at +${r.sentAt - started}, answered at +${r.at - started} ms)`),
      rssMiB: { before: round(before / MiB), peak: round(peak / MiB), after: round(after / MiB) },
    };
    console.log(`[abuse] ${name}: ${JSON.stringify(figures)}`);
    return figures;
  }

  async metric(name: string, labels?: Record<string, string>): Promise<number> {
    // A fresh connection each time: a kept-alive one may be closed by the server as it is reused.
    const res = await fetch(`${this.fx().store.httpUrl}/metrics`, { headers: { connection: "close" } });
    return parsePrometheusText(await res.text()).sum(name, labels);
  }
}

/**
 * The store answered every probe within 1 s, and there were enough probes to say so; the probes
 * later than 1 s are printed (p95 and the slowest are in the figures). On an oversubscribed machine
 * (more than OVERLOADED runnable processes per core over the last minute, as when several test
 * suites share two cores) the store is starved of CPU by others: only the answers are asserted.
 */
export function expectResponsive(f: Figures, minProbes = 5): void {
  expect(f.probes).toBeGreaterThanOrEqual(minProbes);
  const load = os.loadavg()[0] / os.availableParallelism();
  if (load > OVERLOADED) {
    console.warn(
      `[abuse] load ${load.toFixed(1)} per core: latency printed, not asserted; ${f.late.length} probes later than ${ANSWER_MS} ms`,
    );
    expect(f.failures.filter((m) => !m.includes("no answer within"))).toEqual([]);
    return;
  }
  if (f.late.length > 0)
    console.warn(`[abuse] ${f.late.length} probes later than ${ANSWER_MS} ms: ${f.late.join("; ")}`);
  expect(f.failures).toEqual([]);
  expect(f.late).toEqual([]);
  expect(f.latencyMs.max).toBeLessThan(ANSWER_MS);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
