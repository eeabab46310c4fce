// An in-memory FactCast server for the backend's unit tests: RemoteFactStore's read side and,
// optionally, factline's admin services, served through createRouterTransport — no network, no
// module mocks. It follows FactCast's protocol (proto/org/factcast/, README "Using a FactCast
// client") closely enough to catch wire mistakes: startingAfter ids, spec matching, Facts batches
// then Catchup and Complete, UNIMPLEMENTED for what a plain FactCast server lacks.
import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  createRouterTransport,
  type ConnectRouter,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import {
  CatalogService,
  FactQueryService,
  Order as AdminOrder,
  type FactFilter as AdminFilter,
} from "../../../gen/factline/admin/v1/admin_pb";
import {
  MSG_Notification_Type,
  RemoteFactStore,
  type MSG_Date,
} from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { databaseUnavailableMetadata } from "../../../factcast/errors";
import { fromMsgUuid } from "../../../factcast/uuid";

export interface FakeFactInput {
  ns: string;
  type?: string;
  version?: number;
  aggIds?: string[];
  meta?: Record<string, unknown>;
  payload?: unknown;
  /** Publish time, epoch ms; default a fixed day so date tests are deterministic. */
  ts?: number;
  id?: string;
}

export interface FakeFact {
  serial: bigint;
  id: string;
  header: Record<string, unknown> & { meta: Record<string, unknown> };
  headerText: string;
  payloadText: string;
  ts: number;
}

export interface FakeStoreOptions {
  /** Serve factline's CatalogService and FactQueryService (default true). */
  admin?: boolean;
  /** Answer firstSerialAfter (a Java FactCast server does not: UNIMPLEMENTED). Default true. */
  firstSerialAfter?: boolean;
  /** Facts per `Facts` notification in catch-up (small, so tests cross batch boundaries). */
  batchSize?: number;
}

export const DEFAULT_TS = Date.UTC(2025, 0, 15, 12, 0, 0);

export class FakeStore {
  readonly facts: FakeFact[] = [];
  /** Method names in call order, for asserting what the backend asked. */
  readonly calls: string[] = [];
  /** Facts handed to subscribers, in total: shows that early cancellation stops reading. */
  delivered = 0;
  /** Every subscribe request as sent (parsed JSON), to check where a subscription starts. */
  readonly subscriptions: { continuous: boolean; ephemeral: boolean; startingAfter: string | null }[] = [];
  /** Called as a subscription starts, after it read its catch-up: lets a test publish "meanwhile". */
  onSubscribe?: () => void;
  /** Headers of the last call, to check fc-id and credentials. */
  lastHeaders = new Headers();
  /**
   * As a factline store whose PostgreSQL is down: the handshake answers, every other call fails
   * with UNAVAILABLE marked "database unavailable" (factcast/errors.ts).
   */
  databaseDown = false;
  private next = 1n;
  /** Follow subscriptions waiting for the next publish. */
  private waiting = new Set<() => void>();

  constructor(readonly options: FakeStoreOptions = {}) {}

  publish(input: FakeFactInput): FakeFact {
    const serial = this.next++;
    const ts = input.ts ?? DEFAULT_TS;
    const id = input.id ?? randomUUID();
    const header = {
      id,
      ns: input.ns,
      ...(input.type === undefined ? {} : { type: input.type }),
      version: input.version ?? 0,
      aggIds: input.aggIds ?? [],
      meta: { ...input.meta, _ser: Number(serial), _ts: ts },
    };
    const fact = {
      serial,
      id,
      header,
      headerText: JSON.stringify(header),
      payloadText: JSON.stringify(input.payload ?? {}),
      ts,
    };
    this.facts.push(fact);
    for (const wake of this.waiting) wake();
    return fact;
  }

  /** Skips serials, as a rolled-back publish does. */
  gap(count: number): void {
    this.next += BigInt(count);
  }

  get latest(): bigint {
    return this.facts.at(-1)?.serial ?? 0n;
  }

  /** An in-memory transport to this store; the client on it adds the metadata (fc-id, credentials). */
  transport(): Transport {
    const databaseDown: Interceptor = (next) => (req) => {
      if (this.databaseDown && req.method.name !== "handshake") {
        const message = "the store cannot reach its database; retry shortly";
        throw new ConnectError(message, Code.Unavailable, databaseUnavailableMetadata());
      }
      return next(req);
    };
    return createRouterTransport((router) => this.routes(router), { router: { interceptors: [databaseDown] } });
  }

  private routes(router: ConnectRouter): void {
    const note = (name: string, headers: Headers) => {
      this.calls.push(name);
      this.lastHeaders = headers;
    };
    const find = (pred: (f: FakeFact) => boolean) => {
      const f = this.facts.find(pred);
      return f ? { present: true, fact: { header: f.headerText, payload: f.payloadText } } : { present: false };
    };
    router.service(RemoteFactStore, {
      handshake: (_req, ctx) => {
        note("handshake", ctx.requestHeader);
        return {
          version: { major: 1, minor: 8, patch: 0 },
          properties: { property: { "org.factcast.grpc.api.Capabilities.FACTCAST_IMPL_VERSION": "fake-1.0" } },
        };
      },
      latestSerial: (_req, ctx) => (note("latestSerial", ctx.requestHeader), { serial: this.latest }),
      fetchBySerial: (req, ctx) => (note("fetchBySerial", ctx.requestHeader), find((f) => f.serial === req.serial)),
      fetchById: (req, ctx) => (note("fetchById", ctx.requestHeader), find((f) => f.id === fromMsgUuid(req))),
      serialOf: (req, ctx) => {
        note("serialOf", ctx.requestHeader);
        const f = this.facts.find((f) => f.id === fromMsgUuid(req));
        return f ? { present: true, serial: f.serial } : { present: false };
      },
      lastSerialBefore: (req, ctx) => {
        note("lastSerialBefore", ctx.requestHeader);
        const first = this.facts.find((f) => day(f.ts) >= isoDay(req));
        return { serial: first ? first.serial - 1n : this.latest };
      },
      firstSerialAfter: (req, ctx) => {
        note("firstSerialAfter", ctx.requestHeader);
        if (this.options.firstSerialAfter === false) throw new ConnectError("firstSerialAfter", Code.Unimplemented);
        const first = this.facts.find((f) => day(f.ts) >= isoDay(req));
        return { serial: first ? first.serial : this.latest + 1n };
      },
      enumerateNamespaces: (_req, ctx) => (
        note("enumerateNamespaces", ctx.requestHeader),
        { embeddedString: distinct(this.facts.map((f) => String(f.header.ns))) }
      ),
      enumerateTypes: (req, ctx) => {
        note("enumerateTypes", ctx.requestHeader);
        return {
          embeddedString: distinct(
            this.facts
              .filter((f) => f.header.ns === req.embeddedString && f.header.type)
              .map((f) => String(f.header.type)),
          ),
        };
      },
      enumerateVersions: (req, ctx) => {
        note("enumerateVersions", ctx.requestHeader);
        const versions = this.facts
          .filter((f) => f.header.ns === req.ns && f.header.type === req.type)
          .map((f) => Number(f.header.version));
        return { embeddedInteger: [...new Set(versions)] };
      },
      subscribe: (req, ctx) => this.subscribe(req.json, ctx.requestHeader, ctx.signal),
    });
    if (this.options.admin === false) return;
    router.service(CatalogService, {
      getCatalog: (req, ctx) => {
        note("admin.getCatalog", ctx.requestHeader);
        const groups = new Map<string, FakeFact[]>();
        for (const f of this.facts.filter((f) => !req.ns || f.header.ns === req.ns)) {
          const key = JSON.stringify([f.header.ns, f.header.type ?? "", f.header.version]);
          groups.set(key, [...(groups.get(key) ?? []), f]);
        }
        const entries = [...groups].map(([key, list]) => {
          const [ns, type, version] = JSON.parse(key) as [string, string, number];
          return {
            ns,
            type,
            version,
            factCount: BigInt(list.length),
            firstSerial: list[0].serial,
            lastSerial: list.at(-1)!.serial,
            firstPublishedMs: BigInt(list[0].ts),
            lastPublishedMs: BigInt(list.at(-1)!.ts),
          };
        });
        return { entries, latestSerial: this.latest };
      },
    });
    router.service(FactQueryService, {
      queryFacts: (req, ctx) => {
        note("admin.queryFacts", ctx.requestHeader);
        const newest = req.order === AdminOrder.NEWEST_FIRST;
        const matching = this.facts.filter(
          (f) =>
            (req.afterSerial === 0n || f.serial > req.afterSerial) &&
            (req.beforeSerial === 0n || f.serial < req.beforeSerial) &&
            (req.filters.length === 0 || req.filters.some((flt) => matchesAdmin(flt, f))),
        );
        if (newest) matching.reverse();
        const limit = req.limit || 100;
        const page = matching.slice(0, limit);
        return {
          hasMore: matching.length > limit,
          facts: page.map((f) => {
            const cut = req.payloadPreviewBytes > 0 && f.payloadText.length > req.payloadPreviewBytes;
            return {
              serial: f.serial,
              header: f.headerText,
              payload: cut ? f.payloadText.slice(0, req.payloadPreviewBytes) : f.payloadText,
              payloadTruncated: cut,
              payloadBytes: BigInt(Buffer.byteLength(f.payloadText)),
            };
          }),
        };
      },
    });
  }

  private async *subscribe(json: string, headers: Headers, signal: AbortSignal) {
    this.calls.push("subscribe");
    this.lastHeaders = headers;
    const req = JSON.parse(json) as {
      specs: Spec[];
      continuous: boolean;
      ephemeral: boolean;
      startingAfter: string | null;
    };
    this.subscriptions.push({ continuous: req.continuous, ephemeral: req.ephemeral, startingAfter: req.startingAfter });
    // FactCast: an unknown startingAfter id silently means "from scratch"; ephemeral skips the past.
    const start = req.ephemeral
      ? this.latest
      : req.startingAfter
        ? (this.facts.find((f) => f.id === req.startingAfter)?.serial ?? 0n)
        : 0n;
    const matching = this.facts.filter((f) => f.serial > start && req.specs.some((s) => matchesSpec(s, f)));
    // Published after the catch-up was read: such a fact comes live, after Catchup.
    this.onSubscribe?.();
    const size = this.options.batchSize ?? 3;
    for (let i = 0; i < matching.length; i += size) {
      if (signal.aborted) return;
      const batch = matching.slice(i, i + size);
      this.delivered += batch.length;
      yield {
        type: MSG_Notification_Type.Facts,
        facts: { fact: batch.map((f) => ({ header: f.headerText, payload: f.payloadText })) },
      };
    }
    yield { type: MSG_Notification_Type.Catchup };
    if (!req.continuous) {
      yield { type: MSG_Notification_Type.Complete };
      return;
    }
    // Following: facts published from here on, as they come, until the client cancels.
    let last = matching.at(-1)?.serial ?? start;
    while (!signal.aborted) {
      const fresh = this.facts.filter((f) => f.serial > last && req.specs.some((s) => matchesSpec(s, f)));
      if (fresh.length > 0) {
        last = fresh[fresh.length - 1].serial;
        this.delivered += fresh.length;
        yield {
          type: MSG_Notification_Type.Facts,
          facts: { fact: fresh.map((f) => ({ header: f.headerText, payload: f.payloadText })) },
        };
        continue;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.waiting.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }
}

interface Spec {
  ns: string;
  type: string | null;
  aggIds: string[];
  meta: Record<string, string>;
  metaKeyExists: Record<string, boolean>;
}

function matchesSpec(s: Spec, f: FakeFact): boolean {
  const h = f.header;
  if (s.ns !== "*" && h.ns !== s.ns) return false;
  if (s.type !== null && s.type !== "*" && h.type !== s.type) return false;
  const aggIds = (h.aggIds as string[]) ?? [];
  if (!s.aggIds.every((a) => aggIds.includes(a))) return false;
  for (const [k, v] of Object.entries(s.meta)) {
    const actual = h.meta[k];
    if (!(actual === v || (Array.isArray(actual) && actual.includes(v)))) return false;
  }
  return Object.entries(s.metaKeyExists).every(([k, present]) => k in h.meta === present);
}

function matchesAdmin(flt: AdminFilter, f: FakeFact): boolean {
  const metaKeyExists: Record<string, boolean> = {};
  for (const k of flt.metaPresent) metaKeyExists[k] = true;
  for (const k of flt.metaAbsent) metaKeyExists[k] = false;
  const base = { ns: flt.ns || "*", aggIds: flt.aggIds, meta: flt.meta, metaKeyExists };
  return flt.types.length === 0
    ? matchesSpec({ ...base, type: null }, f)
    : flt.types.some((type) => matchesSpec({ ...base, type }, f));
}

function isoDay(d: MSG_Date): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

function day(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
