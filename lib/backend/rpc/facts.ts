// GetFact: one fact whole, its neighbours in the same namespace and type, and the history of its
// aggregates. The fact itself comes from FactCast's fetchBySerial / fetchById on any store; the
// surroundings from admin keyset queries, or from catch-up subscriptions on a plain FactCast server.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Order as AdminOrder, type FactFilter as AdminFilter } from "../../../gen/factline/admin/v1/admin_pb";
import { FactFilterSchema as AdminFilterSchema } from "../../../gen/factline/admin/v1/admin_pb";
import {
  GetFactResponseSchema,
  type Fact,
  type GetFactRequest,
  type GetFactResponse,
} from "../../../gen/factline/console/v1/console_pb";
import { isUuid } from "../../query-params";
import { withAdmin } from "../upstream/capabilities";
import { catchUp } from "./catchup";
import { consoleError } from "../upstream/errors";
import { factSpec, type FactSpecJson } from "../../../factcast/spec";
import { fetchById, fetchBySerial, latestSerial } from "../upstream/factcast";
import { PAYLOAD_PREVIEW_BYTES, parseHeader, reshapeQueriedFact, reshapeWireFact, type ParsedHeader } from "./reshape";
import type { Upstream } from "../upstream/upstream";

/** The proto's promise: at most this many facts of aggregate history, newest first. */
export const AGGREGATE_HISTORY_LIMIT = 100;
/**
 * Without admin services the history is read oldest first through the whole aggregate; a fact
 * page must not wait on a huge aggregate longer than this (what was read so far is shown, marked
 * truncated).
 */
export const FALLBACK_SCAN_TIMEOUT_MS = 10_000;

interface Surroundings {
  previousSerial: bigint;
  nextSerial: bigint;
  history: Fact[];
  historyTruncated: boolean;
}

/** `signal`: the caller gave up (a browser that left, a page's prefetch past its bound); scans stop. */
export async function getFact(upstream: Upstream, req: GetFactRequest, signal?: AbortSignal): Promise<GetFactResponse> {
  const wire = await lookUp(upstream, req);
  const fact = reshapeWireFact(wire);
  const header = parseHeader(wire.header);
  const around = await withAdmin(
    upstream.capabilities,
    () => viaAdmin(upstream, header, fact.serial),
    () => viaCatchUp(upstream, header, signal),
  );
  return create(GetFactResponseSchema, {
    fact,
    previousSerial: around.previousSerial,
    nextSerial: around.nextSerial,
    aggregateHistory: around.history,
    aggregateHistoryTruncated: around.historyTruncated,
  });
}

/** The fact a request names by serial or id, whole; NOT_FOUND and INVALID_ARGUMENT in words. */
export async function lookUp(upstream: Upstream, req: Pick<GetFactRequest, "key">) {
  switch (req.key.case) {
    case "serial": {
      const serial = req.key.value;
      if (serial <= 0n)
        throw consoleError(`serial must be a positive whole number, got ${serial}`, Code.InvalidArgument);
      const wire = await fetchBySerial(upstream, serial);
      if (wire) return wire;
      const latest = await latestSerial(upstream);
      throw consoleError(
        serial > latest
          ? `no fact with serial ${serial}: the newest fact has serial ${latest}`
          : `no fact with serial ${serial}: serials have gaps where publishes were rolled back`,
        Code.NotFound,
      );
    }
    case "id": {
      const id = req.key.value.trim();
      if (!isUuid(id))
        throw consoleError(
          `"${req.key.value}" is not a fact id: ids are UUIDs like 3f2504e0-4f89-11d3-9a0c-0305e82c3301`,
          Code.InvalidArgument,
        );
      const wire = await fetchById(upstream, id.toLowerCase());
      if (wire) return wire;
      throw consoleError(`no fact with id ${id}`, Code.NotFound);
    }
    default:
      throw consoleError("give a serial or an id to look a fact up by", Code.InvalidArgument);
  }
}

/** Neighbours and history by keyset: one-row pages either side, one page of history. */
async function viaAdmin(upstream: Upstream, header: ParsedHeader, serial: bigint): Promise<Surroundings> {
  // A fact without a type has its namespace as its kind: filters cannot say "no type", and both
  // strategies agree on this (the catch-up spec has type null, i.e. any type).
  const sameKind = [create(AdminFilterSchema, { ns: header.ns, types: header.type ? [header.type] : [] })];
  // Only serials are needed from the neighbours; a one-byte preview keeps their payloads home.
  const neighbour = (order: AdminOrder) =>
    upstream.query.queryFacts({
      filters: sameKind,
      order,
      ...(order === AdminOrder.NEWEST_FIRST ? { beforeSerial: serial } : { afterSerial: serial }),
      limit: 1,
      payloadPreviewBytes: 1,
    });
  const [previous, next, history] = await Promise.all([
    neighbour(AdminOrder.NEWEST_FIRST),
    neighbour(AdminOrder.OLDEST_FIRST),
    header.aggIds.length === 0
      ? undefined
      : upstream.query.queryFacts({
          filters: header.aggIds.map((id): AdminFilter => create(AdminFilterSchema, { aggIds: [id] })),
          order: AdminOrder.NEWEST_FIRST,
          limit: AGGREGATE_HISTORY_LIMIT,
          payloadPreviewBytes: PAYLOAD_PREVIEW_BYTES,
        }),
  ]);
  return {
    previousSerial: previous.facts[0]?.serial ?? 0n,
    nextSerial: next.facts[0]?.serial ?? 0n,
    history: history?.facts.map(reshapeQueriedFact) ?? [],
    historyTruncated: history?.hasMore ?? false,
  };
}

/**
 * FactCast alone: the next fact by a catch-up after this fact's id; no previous (FactCast cannot
 * read backwards); the history by reading the aggregates oldest first and keeping the last 100.
 */
async function viaCatchUp(upstream: Upstream, header: ParsedHeader, signal?: AbortSignal): Promise<Surroundings> {
  const [nextSerial, history] = await Promise.all([
    nextOfKind(upstream, header, signal),
    historyByCatchUp(upstream, header, signal),
  ]);
  return { previousSerial: 0n, nextSerial, ...history };
}

async function nextOfKind(upstream: Upstream, header: ParsedHeader, signal?: AbortSignal): Promise<bigint> {
  const deadline = AbortSignal.timeout(FALLBACK_SCAN_TIMEOUT_MS);
  const stop = signal ? AbortSignal.any([deadline, signal]) : deadline;
  try {
    for await (const { header: next } of catchUp(upstream, {
      specs: [spec(header.ns, header.type || null, [])],
      afterId: header.id,
      signal: stop,
    })) {
      return next.serial;
    }
    return 0n;
  } catch (err) {
    // A next fact far away is not worth a hanging page: show none.
    if (deadline.aborted) return 0n;
    throw err;
  }
}

async function historyByCatchUp(
  upstream: Upstream,
  header: ParsedHeader,
  signal?: AbortSignal,
): Promise<{ history: Fact[]; historyTruncated: boolean }> {
  if (header.aggIds.length === 0) return { history: [], historyTruncated: false };
  const deadline = AbortSignal.timeout(FALLBACK_SCAN_TIMEOUT_MS);
  const stop = signal ? AbortSignal.any([deadline, signal]) : deadline;
  // A ring of the newest previews seen so far: memory stays bounded however long the aggregate is.
  const ring: Fact[] = [];
  let seen = 0;
  let timedOut = false;
  try {
    const specs = header.aggIds.map((id) => spec("*", null, [id]));
    for await (const { wire } of catchUp(upstream, { specs, signal: stop })) {
      ring[seen % AGGREGATE_HISTORY_LIMIT] = reshapeWireFact(wire, PAYLOAD_PREVIEW_BYTES);
      seen++;
    }
  } catch (err) {
    if (!deadline.aborted) throw err;
    timedOut = true;
  }
  const start = seen > AGGREGATE_HISTORY_LIMIT ? seen % AGGREGATE_HISTORY_LIMIT : 0;
  const oldestFirst = [...ring.slice(start), ...ring.slice(0, start)];
  return { history: oldestFirst.reverse(), historyTruncated: timedOut || seen > AGGREGATE_HISTORY_LIMIT };
}

function spec(ns: string, type: string | null, aggIds: string[]): FactSpecJson {
  return factSpec({ ns, type, aggIds });
}
