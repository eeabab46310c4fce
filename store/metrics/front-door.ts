// The front door's occupancy against its limits (store/grpc/limits.ts), read when Prometheus scrapes:
// how close connections, calls and pending request bytes are to where callers start being refused.
import { Gauge } from "prom-client";
import type { GrpcServer } from "../grpc/server";
import { registry } from "./registry";

/** Registers the front door's scrape-time gauges (once, when the gRPC server listens). */
export function observeFrontDoor(grpc: GrpcServer): void {
  new Gauge({
    name: "factline_grpc_connections",
    help: "HTTP/2 connections open on the gRPC port.",
    registers: [registry],
    collect() {
      this.set(grpc.frontDoor().connections);
    },
  });
  new Gauge({
    name: "factline_grpc_calls_in_progress",
    help: "gRPC calls in progress (subscriptions included), against the limit of calls at once.",
    registers: [registry],
    collect() {
      this.set(grpc.frontDoor().calls);
    },
  });
  new Gauge({
    name: "factline_grpc_pending_request_bytes",
    help: "Bytes of request bodies still arriving or decompressing, against the store's budget for them.",
    registers: [registry],
    collect() {
      this.set(grpc.frontDoor().pendingBodyBytes);
    },
  });
}
