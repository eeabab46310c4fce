// GetFactAsVersion: one fact as another version of its type. The payload comes from FactCast's
// fetchByIdAndVersion — exactly what a consumer asking for that version gets, from any FactCast
// server with a registry — and, where the store has factline's TransformationService, the chain it
// used and the versions within reach come from TransformFact beside it. TransformFact is asked
// first, so that what it says about the transformation cache is about the reader's visit, not about
// the fetch before it; the fetch then reads the cached result.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { TransformFactResponse } from "../../../gen/factline/admin/v1/transformations_pb";
import {
  GetFactAsVersionResponseSchema,
  type GetFactAsVersionRequest,
  type GetFactAsVersionResponse,
} from "../../../gen/factline/console/v1/console_pb";
import { storeMessage, transformationFailure } from "../../../factcast/errors";
import { isUnimplemented } from "../upstream/capabilities";
import { consoleError } from "../upstream/errors";
import { fetchByIdAndVersion } from "../upstream/factcast";
import { UNARY_TIMEOUT_MS, type Upstream } from "../upstream/upstream";
import { MAX_VERSION } from "../../query-params";
import { lookUp } from "./facts";
import { parseHeader, reshapeWireFact } from "./reshape";

export async function getFactAsVersion(
  upstream: Upstream,
  req: GetFactAsVersionRequest,
  signal?: AbortSignal,
): Promise<GetFactAsVersionResponse> {
  if (!Number.isInteger(req.version) || req.version < 0 || req.version > MAX_VERSION) {
    throw consoleError(
      `version must be from 1 to ${MAX_VERSION} (0 for as published), got ${req.version}`,
      Code.InvalidArgument,
    );
  }
  const stored = await lookUp(upstream, req);
  const header = parseHeader(stored.header);
  const own = header.version;
  const asPublished = req.version === 0 || req.version === own;
  if (!asPublished && header.type === "") {
    throw consoleError(
      `fact ${header.id} has no type, so it has no other versions: only types have versions and transformations`,
      Code.FailedPrecondition,
    );
  }
  const explained = await explain(upstream, header.id, req.version, signal);
  const delivered: Delivered = asPublished
    ? { fact: stored }
    : await deliveredAs(upstream, header.id, req.version, signal);
  return create(GetFactAsVersionResponseSchema, {
    fact: delivered.fact && reshapeWireFact(delivered.fact),
    publishedVersion: own,
    failure: delivered.failure ?? "",
    failureKind: delivered.failureKind ?? "",
    explained: explained !== undefined,
    chain:
      explained?.chain.map((s) => ({
        fromVersion: s.fromVersion,
        toVersion: s.toVersion,
        hasCode: s.hasCode,
        synthetic: s.synthetic,
      })) ?? [],
    reachableVersions: [...(explained?.reachableVersions ?? [])].sort((a, b) => a - b),
    cached: delivered.fact !== undefined && !asPublished && (explained?.cached ?? false),
  });
}

interface Delivered {
  fact?: { header: string; payload: string };
  failure?: string;
  failureKind?: "missing" | "transformation";
}

/** fetchByIdAndVersion, with FactCast's two transformation exceptions as answers rather than errors. */
async function deliveredAs(upstream: Upstream, id: string, version: number, signal?: AbortSignal): Promise<Delivered> {
  try {
    const fact = await fetchByIdAndVersion(upstream, id, version, signal);
    if (!fact) throw consoleError(`fact ${id} is gone from the store`, Code.NotFound);
    return { fact };
  } catch (err) {
    const kind = transformationFailure(err);
    if (!kind || !(err instanceof ConnectError)) throw err;
    return { failure: storeMessage(err), failureKind: kind };
  }
}

/**
 * The store's account of the chain (factline's TransformFact), or undefined from a store that has
 * no such service (a plain FactCast server, factline with its admin services off).
 */
async function explain(
  upstream: Upstream,
  id: string,
  version: number,
  signal?: AbortSignal,
): Promise<TransformFactResponse | undefined> {
  try {
    return await upstream.transformations.transformFact(
      { factId: id, version },
      { timeoutMs: UNARY_TIMEOUT_MS, signal },
    );
  } catch (err) {
    if (isUnimplemented(err)) return undefined;
    throw err;
  }
}
