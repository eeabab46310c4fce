// A FactCast client for the conformance suite: the generated RemoteFactStore service over real
// gRPC (h2c), plus the wire conventions a Java client uses — signed-int64 UUID halves,
// JSON-in-protobuf subscription requests with explicit nulls, error trailers — so the tests
// speak exactly what a stock FactCast client would put on the wire.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, decodeBinaryHeader, type Client } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "vitest";
import {
  MSG_Notification_Type,
  MSG_SubscriptionRequestSchema,
  MSG_UUIDSchema,
  RemoteFactStore,
  type MSG_Notification,
  type MSG_SubscriptionRequest,
  type MSG_UUID,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { parseFact, type StoredFact } from "./facts.js";

export type FactStoreClient = Client<typeof RemoteFactStore>;

export interface ClientOptions {
  /** Compress every request with gzip, as a Java client does after negotiating `gzip`. */
  gzip?: boolean;
}

/** One client = one HTTP/2 session; create several to model independent FactCast clients. */
export function createFactStoreClient(baseUrl: string, options: ClientOptions = {}): FactStoreClient {
  const transport = createGrpcTransport({
    baseUrl, // gRPC over HTTP/2; an http:// URL means h2c
    ...(options.gzip
      ? // compressMinBytes 0: connect skips compression below 1 KiB by default, which would make
        // the gzip tests pass without a single compressed request.
        { sendCompression: compressionGzip, compressMinBytes: 0 }
      : {}),
  });
  return createClient(RemoteFactStore, transport);
}

// ---------------------------------------------------------------------------------------------
// UUIDs: Java's getMostSignificantBits/getLeastSignificantBits, i.e. signed two's complement.

export function toMsgUuid(uuid: string): MSG_UUID {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return create(MSG_UUIDSchema, {
    msb: BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)),
    lsb: BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)),
  });
}

export function fromMsgUuid(msg: Pick<MSG_UUID, "msb" | "lsb">): string {
  const hex =
    BigInt.asUintN(64, msg.msb).toString(16).padStart(16, "0") +
    BigInt.asUintN(64, msg.lsb).toString(16).padStart(16, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Subscription requests, serialized the way Jackson serializes SubscriptionRequestTO.

export interface SpecInput {
  ns: string;
  type?: string | null;
  version?: number;
  aggIds?: string[];
  meta?: Record<string, string>;
  metaKeyExists?: Record<string, boolean>;
  aggIdProperties?: Record<string, string>;
  filterScript?: { languageIdentifier: string; source: string } | null;
  /** Extra (e.g. legacy) fields written as-is, such as `aggId`. */
  extra?: Record<string, unknown>;
}

/** A FactSpec as the Java client writes it: every field present, nulls explicit. */
export function spec(input: SpecInput): Record<string, unknown> {
  return {
    ns: input.ns,
    type: input.type ?? null,
    version: input.version ?? 0,
    aggIds: input.aggIds ?? [],
    meta: input.meta ?? {},
    aggIdProperties: input.aggIdProperties ?? {},
    metaKeyExists: input.metaKeyExists ?? {},
    filterScript: input.filterScript ?? null,
    ...input.extra,
  };
}

export interface SubscriptionInput {
  specs: SpecInput[];
  continuous?: boolean;
  ephemeral?: boolean;
  startingAfter?: string | null;
  keepaliveIntervalInMs?: number;
  streamInfo?: boolean;
}

/** Builds MSG_SubscriptionRequest with the field order and explicit nulls of the Java client. */
export function subscriptionRequest(input: SubscriptionInput): MSG_SubscriptionRequest {
  const json = {
    keepaliveIntervalInMs: input.keepaliveIntervalInMs ?? 0,
    streamInfo: input.streamInfo ?? true,
    continuous: input.continuous ?? false,
    ephemeral: input.ephemeral ?? false,
    startingAfter: input.startingAfter ?? null,
    debugInfo: "req(conformance)",
    pid: `${process.pid}@conformance`,
    specs: input.specs.map(spec),
  };
  return rawSubscriptionRequest(JSON.stringify(json));
}

export function rawSubscriptionRequest(json: string): MSG_SubscriptionRequest {
  return create(MSG_SubscriptionRequestSchema, { json });
}

// ---------------------------------------------------------------------------------------------
// Subscription collector.

export interface SubscriptionEnd {
  /** undefined when the server ended the stream with OK. */
  error?: ConnectError;
}

export interface Subscription {
  readonly notifications: MSG_Notification[];
  /** Every fact delivered so far (from Facts and Fact notifications), in arrival order. */
  facts(): StoredFact[];
  types(): MSG_Notification_Type[];
  /** Resolves once `condition` holds; rejects after `timeoutMs` with what was received so far. */
  waitFor(condition: (s: Subscription) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  waitForFacts(count: number, timeoutMs?: number): Promise<void>;
  waitForType(type: MSG_Notification_Type, timeoutMs?: number): Promise<void>;
  /** Settles when the stream ends, never rejects. */
  readonly ended: Promise<SubscriptionEnd>;
  isEnded(): boolean;
  cancel(): void;
}

export interface SubscribeOptions {
  headers?: Record<string, string>;
}

/** Opens a subscription and reads it in the background until it ends or is cancelled. */
export function subscribe(
  client: FactStoreClient,
  request: MSG_SubscriptionRequest | SubscriptionInput,
  options: SubscribeOptions = {},
): Subscription {
  const req = "json" in request ? request : subscriptionRequest(request);
  const abort = new AbortController();
  const notifications: MSG_Notification[] = [];
  // parsed once on arrival: waitFor conditions look at the facts after every notification
  const facts: StoredFact[] = [];
  const waiters = new Set<() => void>();
  let finished = false;
  const notify = () => waiters.forEach((w) => w());

  const ended = (async (): Promise<SubscriptionEnd> => {
    try {
      for await (const n of client.subscribe(req, { signal: abort.signal, headers: options.headers })) {
        notifications.push(n);
        facts.push(...notificationFacts(n));
        notify();
      }
      return {};
    } catch (e) {
      return { error: ConnectError.from(e) };
    } finally {
      finished = true;
      notify();
    }
  })();

  const sub: Subscription = {
    notifications,
    facts: () => facts.slice(),
    types: () => notifications.map((n) => n.type),
    ended,
    isEnded: () => finished,
    cancel: () => abort.abort(),
    waitFor(condition, timeoutMs = 10_000, what = "condition") {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (condition(sub)) {
            done();
            resolve();
          } else if (finished) {
            done();
            void ended.then((end) =>
              reject(
                new Error(`stream ended before ${what}: ${summarize(sub)}; error: ${end.error?.message ?? "none"}`),
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${summarize(sub)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    waitForFacts(count, timeoutMs) {
      return sub.waitFor(() => facts.length >= count, timeoutMs, `${count} facts`);
    },
    waitForType(type, timeoutMs) {
      return sub.waitFor((s) => s.types().includes(type), timeoutMs, MSG_Notification_Type[type]);
    },
  };
  return sub;
}

/** Reads a catch-up (continuous=false) subscription to its end. */
export async function catchUp(
  client: FactStoreClient,
  request: MSG_SubscriptionRequest | SubscriptionInput,
  options: SubscribeOptions & { timeoutMs?: number } = {},
): Promise<Subscription & { end: SubscriptionEnd }> {
  const sub = subscribe(client, request, options);
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      sub.cancel();
      reject(new Error(`catch-up did not end within ${timeoutMs} ms: ${summarize(sub)}`));
    }, timeoutMs);
  });
  try {
    const end = await Promise.race([sub.ended, timeout]);
    return Object.assign(sub, { end });
  } finally {
    clearTimeout(timer);
  }
}

export function notificationFacts(n: MSG_Notification): StoredFact[] {
  if (n.type === MSG_Notification_Type.Facts) return (n.facts?.fact ?? []).map(parseFact);
  if (n.type === MSG_Notification_Type.Fact && n.fact) return [parseFact(n.fact)];
  return [];
}

export function typeNames(types: MSG_Notification_Type[]): string[] {
  return types.map((t) => MSG_Notification_Type[t] ?? String(t));
}

/** Notification types with consecutive Facts batches collapsed, for sequence assertions. */
export function sequenceOf(sub: Pick<Subscription, "types">): string[] {
  const out: string[] = [];
  for (const name of typeNames(sub.types())) {
    if (name === "Facts" && out[out.length - 1] === "Facts") continue;
    out.push(name);
  }
  return out;
}

function summarize(sub: Subscription): string {
  const names = sequenceOf(sub);
  return `[${names.join(", ")}] with ${sub.facts().length} facts`;
}

/** What every stream must look like to the Java client, whatever the scenario. */
export function expectWellFormed(sub: Pick<Subscription, "notifications">) {
  for (const n of sub.notifications) {
    expect(n.type, "type Id is obsolete and breaks the Java client").not.toBe(MSG_Notification_Type.Id);
    if (n.type === MSG_Notification_Type.Fact)
      expect(n.fact?.header, "a Fact notification needs a fact (unset type?)").toBeTruthy();
    if (n.type === MSG_Notification_Type.Facts) {
      expect(n.facts?.fact.length ?? 0).toBeGreaterThan(0);
      for (const f of n.facts!.fact) expect(typeof JSON.parse(f.header).meta?._ser).toBe("number");
    }
    if (n.type === MSG_Notification_Type.Info) expect(n.info).toBeDefined();
    if (n.type === MSG_Notification_Type.Ffwd) expect(n.id && n.serial).toBeTruthy();
  }
  const catchups = sub.notifications.filter((n) => n.type === MSG_Notification_Type.Catchup).length;
  expect(catchups).toBeLessThanOrEqual(1);
}

// ---------------------------------------------------------------------------------------------
// Errors.

export interface ErrorDetails {
  code: Code;
  message: string;
  /** `exc-bin` trailer: the Java exception class a FactCast client re-throws. */
  exception?: string;
  /** `msg-bin` trailer: the message for that exception. */
  exceptionMessage?: string;
}

export function errorDetails(error: unknown): ErrorDetails {
  const e = ConnectError.from(error);
  const bin = (key: string) => {
    const v = e.metadata.get(key);
    return v == null ? undefined : new TextDecoder().decode(decodeBinaryHeader(v));
  };
  return { code: e.code, message: e.rawMessage, exception: bin("exc-bin"), exceptionMessage: bin("msg-bin") };
}

/** Awaits a call that must fail and returns its error details; fails the test if it succeeds. */
export async function expectFailure(call: Promise<unknown>): Promise<ErrorDetails> {
  try {
    const result = await call;
    throw new ExpectedFailureMissing(result);
  } catch (e) {
    if (e instanceof ExpectedFailureMissing)
      throw new Error(`expected the call to fail, it returned ${safeJson(e.result)}`);
    return errorDetails(e);
  }
}

class ExpectedFailureMissing {
  constructor(readonly result: unknown) {}
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x));
  } catch {
    return String(v);
  }
}

export { Code, ConnectError, MSG_Notification_Type };
