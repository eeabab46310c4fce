/**
 * The facts every system in a scenario writes: 1 KB payloads (the unit), realistic headers
 * (namespace, type, version, one aggregate id), fresh UUIDs. The same generator feeds the store,
 * raw PostgreSQL and Emmett, so they store the same bytes.
 */
import { randomUUID } from "node:crypto";
import type { WireFact } from "./client/factcast";

/** The issue measures "1 KB facts": payload text of exactly this many bytes. */
export const PAYLOAD_BYTES = 1024;

export interface BenchFact extends WireFact {
  id: string;
  ns: string;
  type: string;
  aggId: string;
}

export interface FactShape {
  ns: string;
  type: string;
  version?: number;
  aggId?: string;
  /** Extra header meta (strings), e.g. the live scenario's send time. */
  meta?: Record<string, string>;
}

// Filler chosen once: building a 1 KB random string per fact would cost the client more than the
// store spends storing it. Payload JSON stays valid and varied by its ids and counter.
const FILLER = "x".repeat(PAYLOAD_BYTES);
const PAYLOAD_SKELETON = JSON.stringify({ orderId: randomUUID(), seq: 0, note: "" }).length;

let counter = 0;

export function makeFact(shape: FactShape): BenchFact {
  const id = randomUUID();
  const aggId = shape.aggId ?? randomUUID();
  const seq = ++counter;
  const header = JSON.stringify({
    id,
    ns: shape.ns,
    type: shape.type,
    version: shape.version ?? 1,
    aggIds: [aggId],
    meta: shape.meta ?? {},
  });
  const fill = PAYLOAD_BYTES - PAYLOAD_SKELETON - String(seq).length + 1;
  const payload = `{"orderId":"${aggId}","seq":${seq},"note":"${FILLER.slice(0, Math.max(0, fill))}"}`;
  return { id, ns: shape.ns, type: shape.type, aggId, header, payload };
}

export function makeFacts(count: number, shape: FactShape): BenchFact[] {
  return Array.from({ length: count }, () => makeFact(shape));
}

/** The seeded store's catalogue: many namespaces, a few types and versions each. */
export const SEED_NAMESPACES = 20;
export const SEED_TYPES = 5;
export const SEED_VERSIONS = 2;
/** The namespace the "one namespace among many" catch-up reads: 1/SEED_NAMESPACES of the store. */
export const TARGET_NAMESPACE = "ns07";

export function seedShape(i: number): FactShape {
  const ns = `ns${String(i % SEED_NAMESPACES).padStart(2, "0")}`;
  const t = Math.floor(i / SEED_NAMESPACES) % SEED_TYPES;
  return { ns, type: `Type${t}`, version: 1 + (Math.floor(i / (SEED_NAMESPACES * SEED_TYPES)) % SEED_VERSIONS) };
}
