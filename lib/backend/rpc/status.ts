// GetStoreStatus: which store, does it answer, what can it do. Never fails for an unreachable
// store: that is an answer (reachable = false, with what to do), shown as a banner, not an error.
// A factline store that answers while its PostgreSQL does not is told apart (database_unavailable).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { GetStoreStatusResponseSchema, type GetStoreStatusResponse } from "../../../gen/factline/console/v1/console_pb";
import { isDatabaseUnavailable, storeMessage } from "../../../factcast/errors";
import { unreachableReason } from "../upstream/errors";
import type { Upstream } from "../upstream/upstream";

/** The status feeds every page's header; a store that has not answered by then counts as down. */
export const STATUS_TIMEOUT_MS = 3_000;
const IMPL_VERSION = "org.factcast.grpc.api.Capabilities.FACTCAST_IMPL_VERSION";
/** The console needs enumerateVersions (1.8) for version lists; 1.4 for serial lookups. */
const FULL_PROTOCOL_MINOR = 8;

/** What a plain FactCast server (no factline admin services) cannot do for the console. */
export const WITHOUT_ADMIN = [
  "Fact counts and last-activity times need factline's admin services.",
  "Newest-first browsing needs factline's admin services; facts are listed oldest first.",
  "The previous fact of the same type needs factline's admin services.",
];

export async function getStoreStatus(upstream: Upstream): Promise<GetStoreStatusResponse> {
  const call = { timeoutMs: STATUS_TIMEOUT_MS };
  let identity: { protocolVersion: string; implementation: string } | undefined;
  try {
    const handshake = await upstream.facts.handshake({}, call);
    const v = handshake.version ?? { major: 0, minor: 0, patch: 0 };
    identity = {
      protocolVersion: `${v.major}.${v.minor}.${v.patch}`,
      implementation: handshake.properties?.property[IMPL_VERSION] ?? "",
    };
    const [latest, admin] = await Promise.all([upstream.facts.latestSerial({}, call), adminAnswer(upstream)]);
    const features = admin.available ? [] : [...admin.reasons];
    if (v.major !== 1)
      features.push(
        `The store speaks FactCast protocol ${v.major}.${v.minor}; the console speaks 1.x and may misread it.`,
      );
    else if (v.minor < FULL_PROTOCOL_MINOR)
      features.push(`Version lists need FactCast protocol 1.8; the store speaks ${v.major}.${v.minor}.`);
    return create(GetStoreStatusResponseSchema, {
      url: upstream.url,
      reachable: true,
      ...identity,
      latestSerial: latest.serial,
      adminAvailable: admin.available,
      unavailableFeatures: features,
    });
  } catch (err) {
    // The handshake needs no database; latestSerial does. A factline store marks that failure.
    if (isDatabaseUnavailable(err)) {
      return create(GetStoreStatusResponseSchema, {
        url: upstream.url,
        reachable: false,
        databaseUnavailable: true,
        ...identity,
        error: `the store at ${upstream.url} answers, but cannot reach its database (${storeMessage(err as ConnectError)}); it recovers by itself when PostgreSQL is back`,
      });
    }
    return create(GetStoreStatusResponseSchema, {
      url: upstream.url,
      reachable: false,
      error: describeFailure(upstream.url, err),
    });
  }
}

/** Admin services present? A failing probe (not UNIMPLEMENTED) leaves FactCast browsing working. */
async function adminAnswer(upstream: Upstream): Promise<{ available: boolean; reasons: string[] }> {
  try {
    return (await upstream.capabilities.adminAvailable())
      ? { available: true, reasons: [] }
      : { available: false, reasons: WITHOUT_ADMIN };
  } catch (err) {
    const why = err instanceof ConnectError ? storeMessage(err) : String(err);
    return {
      available: false,
      reasons: [
        `factline's admin services failed (${why}); counts and newest-first browsing are off until they answer.`,
      ],
    };
  }
}

function describeFailure(url: string, err: unknown): string {
  const reason = unreachableReason(url, err);
  if (reason) return reason;
  if (err instanceof ConnectError && err.code === Code.PermissionDenied) {
    return `the store at ${url} refused the console (${storeMessage(err)}): check FACTLINE_STORE_USER and FACTLINE_STORE_PASSWORD`;
  }
  if (err instanceof ConnectError) {
    return `the store at ${url} answered with an error (${Code[err.code]}: ${storeMessage(err)}): is it a FactCast server?`;
  }
  return `cannot talk to the store at ${url}: ${String(err)}`;
}
