// The CLI's side of talking to a store: opening the shared client (factcast/client.ts) from the
// global options, the first handshake, and the translation of transport and status errors into
// the CLI's exit codes (README "Exit codes").
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import {
  checkStoreUrl as checkUrl,
  createStoreClient,
  DEFAULT_STORE_URL,
  StoreTargetError,
  type StoreClient,
} from "../factcast/client";
import { networkFailure, oneLine, statusSummary, tlsFailure } from "../factcast/errors";
import { CliError, rejectedError, unreachableError, usageError } from "./errors";

export { DEFAULT_STORE_URL };

/** FactCast clients give the handshake 10 s; a store that is up answers in milliseconds. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StoreTarget {
  url: string;
  /** PEM file of the CA that issued an https:// store's certificate. */
  ca?: string;
  user?: string;
  password?: string;
  /** Sent as `fc-id`; a FactCast server writes it into every published fact as meta.source. */
  clientId?: string;
  /** Told when credentials would go over plaintext to another machine (factcast/client.ts). */
  warn?: (message: string) => void;
}

/** Where the CLI takes a CA file, for messages. */
const CA_SETTING = "--ca or FACTLINE_TLS_CA";

export interface ServerInfo {
  version: { major: number; minor: number; patch: number };
  properties: Record<string, string>;
}

/** Checks --store early, so a typo is a usage error (exit 1) rather than an unreachable store. */
export function checkStoreUrl(raw: string): string {
  try {
    return checkUrl(raw);
  } catch (err) {
    if (err instanceof StoreTargetError) throw usageError(`--store ${err.message}`);
    throw err;
  }
}

/** `transport` replaces the network, for tests (createRouterTransport). */
export function openStore(target: StoreTarget, transport?: Transport): StoreClient {
  try {
    return createStoreClient({ ...target, url: checkStoreUrl(target.url), transport });
  } catch (err) {
    if (err instanceof StoreTargetError) throw usageError(err.message);
    throw err;
  }
}

/**
 * The first call, as every FactCast client makes it: proves the address speaks FactCast within a
 * bounded time (a dead host would otherwise hang until the OS gives up), and names the server.
 */
export async function handshake(store: StoreClient, signal?: AbortSignal): Promise<ServerInfo> {
  try {
    const res = await store.facts.handshake({}, { timeoutMs: HANDSHAKE_TIMEOUT_MS, signal });
    const version = res.version ?? { major: 0, minor: 0, patch: 0 };
    return {
      version: { major: version.major, minor: version.minor, patch: version.patch },
      properties: res.properties?.property ?? {},
    };
  } catch (err) {
    if (signal?.aborted) throw err; // interrupted, not a store problem
    const e = ConnectError.from(err);
    const tls = tlsFailure(e, store.url, { caSetting: CA_SETTING, firstCall: true });
    if (tls) throw unreachableError(tls);
    if (e.code === Code.Unauthenticated || e.code === Code.PermissionDenied) throw storeError(e, store.url);
    if (e.code === Code.DeadlineExceeded) {
      throw unreachableError(
        `the store at ${store.url} did not answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s; is it running? use --store or FACTLINE_STORE_URL`,
      );
    }
    if (e.code !== Code.Unavailable) {
      throw unreachableError(
        `${store.url} does not answer as a FactCast store (${statusSummary(e)}); use --store or FACTLINE_STORE_URL`,
      );
    }
    throw storeError(e, store.url);
  }
}

/**
 * Maps any failure of a store call to a one-line CliError: network trouble → 3 (unreachable),
 * a status the store chose → 2 (rejected). Errors that are already CliErrors pass through.
 */
export function storeError(err: unknown, url: string): CliError {
  if (err instanceof CliError) return err;
  const e = ConnectError.from(err);
  const tls = tlsFailure(e, url, { caSetting: CA_SETTING });
  if (tls) return unreachableError(tls);
  const network = networkFailure(e);
  if (network) {
    return unreachableError(
      `cannot reach the store at ${url} (${network}); is it running? use --store or FACTLINE_STORE_URL`,
    );
  }
  switch (e.code) {
    case Code.Unavailable:
      return unreachableError(`the store at ${url} is unavailable: ${oneLine(e.rawMessage)}`);
    case Code.DeadlineExceeded:
      return unreachableError(`the store at ${url} did not answer in time: ${oneLine(e.rawMessage)}`);
    case Code.Unauthenticated:
      return rejectedError(
        `the store at ${url} wants credentials: use --user/--password or FACTLINE_STORE_USER/FACTLINE_STORE_PASSWORD`,
      );
    case Code.PermissionDenied:
      return rejectedError(`the store refused access: ${oneLine(e.rawMessage)}`);
    case Code.Canceled:
      // Our own cancellations (Ctrl-C) never get here (main.ts checks first): the peer reset the stream.
      return unreachableError(`lost the connection to the store at ${url}`);
    default:
      return rejectedError(`the store rejected the request: ${statusSummary(e)}`);
  }
}
