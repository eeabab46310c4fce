// Per-call metrics of the gRPC server. Each method's counters and histogram are bound once, on the
// method's first call, so a call costs two increments and one observation, no label lookups.
import type { Counter, Histogram } from "prom-client";
import { grpcHandled, grpcHandlingSeconds, grpcStarted } from "./registry";

// gRPC's canonical status names, indexed by code (what grpc-status carries).
const CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? "UNKNOWN";
}

interface MethodMetrics {
  started: Counter.Internal;
  handled: Array<Counter.Internal | undefined>;
  seconds: Histogram.Internal<string>;
  service: string;
  method: string;
}

// Keyed by path; paths the store does not serve share one entry, so a caller inventing paths cannot
// grow the number of series.
const byPath = new Map<string, MethodMetrics>();
const UNKNOWN_PATH = "";

function metricsFor(path: string | undefined): MethodMetrics {
  const key = path ?? UNKNOWN_PATH;
  let m = byPath.get(key);
  if (!m) {
    const [, service = "unknown", method = "unknown"] = path ? (/^\/([^/]+)\/([^/]+)$/.exec(path) ?? []) : [];
    m = {
      started: grpcStarted.labels(service, method),
      handled: [],
      seconds: grpcHandlingSeconds.labels(service, method),
      service,
      method,
    };
    byPath.set(key, m);
  }
  return m;
}

/** A call to a served method (`path`, or undefined when the store does not serve it) began. */
export function callStarted(path: string | undefined): void {
  metricsFor(path).started.inc();
}

/** A call ended with `code`; unary calls are timed from `startedMs` (performance.now()). */
export function callEnded(path: string | undefined, code: number, startedMs: number, unary: boolean): void {
  const m = metricsFor(path);
  const counter = (m.handled[code] ??= grpcHandled.labels(m.service, m.method, codeName(code)));
  counter.inc();
  if (unary) m.seconds.observe((performance.now() - startedMs) / 1000);
}
