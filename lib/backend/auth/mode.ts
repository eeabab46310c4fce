// FACTLINE_CONSOLE_AUTH unset: the console signs users in when the store checks who calls, and
// stays open when the store does not (a fresh `npm start`). It asks the store itself, without
// credentials: factline's access RPC says "open" or refuses the caller; a plain FactCast server
// answers or refuses its handshake.
import { Code, ConnectError } from "@connectrpc/connect";
import type { StoreClient } from "../../../factcast/client";
import type { ConsoleAuthMode } from "./settings";

/** One small call; a store that takes longer is treated as unreachable. */
export const PROBE_TIMEOUT_MS = 5_000;

/**
 * `none` when the store lets anyone in, `store` when it wants credentials. Rejects when the store
 * cannot be reached: then nobody knows, and the caller must not guess `none`.
 */
export async function probeStoreAuth(anonymous: StoreClient, timeoutMs = PROBE_TIMEOUT_MS): Promise<ConsoleAuthMode> {
  try {
    const access = await anonymous.access.getAccess({}, { timeoutMs });
    return access.via === "open" ? "none" : "store";
  } catch (err) {
    if (refusedCaller(err)) return "store";
    if (!(err instanceof ConnectError && err.code === Code.Unimplemented)) throw err;
  }
  // No access RPC: a plain FactCast server (or factline with its admin services off).
  try {
    await anonymous.facts.handshake({}, { timeoutMs });
    return "none";
  } catch (err) {
    if (refusedCaller(err)) return "store";
    throw err;
  }
}

function refusedCaller(err: unknown): boolean {
  return err instanceof ConnectError && (err.code === Code.Unauthenticated || err.code === Code.PermissionDenied);
}
