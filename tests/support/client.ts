// A FactCast client for the conformance suite: the generated RemoteFactStore service over real
// gRPC (h2c) from factcast/client.ts, and the wire conventions of factcast/ — signed-int64 UUID
// halves, JSON-in-protobuf subscription requests with explicit nulls, error trailers — so the
// tests speak exactly what a stock FactCast client would put on the wire.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { expect } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { errorTrailers } from "../../factcast/errors.js";
import { notificationFacts as factsOf } from "../../factcast/notifications.js";
import { factSpec, subscriptionJson, type FactSpecInput } from "../../factcast/spec.js";
import {
  MSG_Notification_Type,
  MSG_SubscriptionRequestSchema,
  RemoteFactStore,
  type MSG_Notification,
  type MSG_SubscriptionRequest,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { parseFact, type StoredFact } from "./facts.js";

export { fromMsgUuid, toMsgUuid } from "../../factcast/uuid.js";

export type FactStoreClient = Client<typeof RemoteFactStore>;

export interface ClientOptions {
  /** Compress every request with gzip, as a Java client does after negotiating `gzip`. */
  gzip?: boolean;
  /** PEM file of the CA of a TLS store's certificate (tests/support/tls.ts). */
  ca?: string;
}

/** One client = one HTTP/2 session; create several to model independent FactCast clients. */
export function createFactStoreClient(baseUrl: string, options: ClientOptions = {}): FactStoreClient {
  return createStoreClient({ url: baseUrl, gzip: options.gzip, ca: options.ca }).facts;
}

// ---------------------------------------------------------------------------------------------
// Subscription requests, serialized the way Jackson serializes SubscriptionRequestTO.

export interface SpecInput extends FactSpecInput {
  /** Extra (e.g. legacy) fields written as-is, such as `aggId`. */
  extra?: Record<string, unknown>;
}

/** A FactSpec as the Java client writes it (factcast/spec.ts), plus any extra fields. */
export function spec(input: SpecInput): Record<string, unknown> {
  const { extra, ...fields } = input;
  return { ...factSpec(fields), ...extra };
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
  const json = JSON.parse(
    subscriptionJson({
      ...input,
      streamInfo: input.streamInfo ?? true,
      specs: [],
      debugInfo: "req(conformance)",
      pid: `${process.pid}@conformance`,
    }),
  ) as Record<string, unknown>;
  // The specs with their extra fields, which factcast/spec.ts rightly never writes.
  json.specs = input.specs.map(spec);
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
  return factsOf(n).map(parseFact);
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
  const trailers = errorTrailers(e);
  return { code: e.code, message: e.rawMessage, exception: trailers.exception, exceptionMessage: trailers.message };
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

/** Calls latestSerial every 100 ms while `work` runs; returns the slowest answer in ms (is the store responsive meanwhile?). */
export async function slowestAnswerWhile(
  client: { latestSerial(req: object): Promise<unknown> },
  work: Promise<unknown>,
): Promise<number> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => {});
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    await client.latestSerial({});
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  return slowest;
}
