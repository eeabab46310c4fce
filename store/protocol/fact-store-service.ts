import type { HandlerContext } from "@connectrpc/connect";
import type { ServiceHandlers } from "../grpc/service";
import {
  RemoteFactStore,
  type MSG_ConditionalPublishRequest,
  type MSG_Date,
  type MSG_Facts,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { requireRead, requireWrite } from "../auth/permissions";
import { principalOf } from "../auth/principal";
import { END_CALL } from "../grpc/call";
import { CALL_CANCELLATION } from "../grpc/call-abort";
import { FRAME_STREAM, type FrameStream } from "../grpc/encoded";
import { callerAddressOf, clientIdOf } from "../grpc/peer";
import { InvalidInputError } from "../errors";
import { prepareFact, type FactHeader, type StoredFact } from "../facts/fact";
import { parseFactSpecsJson, parseSubscriptionRequest, type FactSpec } from "../facts/spec";
import { bitsToUuid, uuidToBits } from "../../factcast/uuid";
import type { PublishRequest } from "../storage/append";
import * as catalog from "../storage/catalog";
import * as lookup from "../storage/lookup";
import { routedFactById, routedFactBySerial, routedSerialOf } from "../storage/replicas/lookups";
import * as tokens from "../storage/tokens";
import { countPublished } from "../metrics/registry";
import type { LiveSink } from "../subscriptions/follower";
import { runSubscription } from "../subscriptions/subscription";
import { checkFilterScripts, deliveryStage } from "../transformations/delivery";
import { warmStage } from "../transformations/warm";
import type { StoreRuntime } from "../store";
import type { TrackedSubscription } from "../instances/tracked";
import { guarded } from "./errors";
import { factsBudget, toNotifications, writeLiveFacts } from "./notifications";
import { encodeOptionalFact } from "./optional-fact";
import { rowBatches } from "./row-notifications";
import {
  decodeConditionalPublish,
  decodeFacts,
  type ReceivedConditionalPublish,
  type ReceivedFacts,
} from "./publish-request";

export const PROTOCOL_VERSION = { major: 1, minor: 8, patch: 0 };
const CAPABILITY = "org.factcast.grpc.api.Capabilities.";
/** The publishes' requests are decoded by hand, so that payloads go to PostgreSQL as the bytes received. */
export const RAW_PUBLISH_REQUESTS = { publish: decodeFacts, publishConditional: decodeConditionalPublish };

/** What FactCast compresses when a client asks (fc-msgcomp): the replies that carry facts or lists. */
export const COMPRESSED_REPLIES = [
  "subscribe",
  "enumerateTypes",
  "enumerateVersions",
  "fetchById",
  "fetchByIdAndVersion",
  "fetchBySerial",
];

/**
 * FactCast's RemoteFactStore over factline's storage: the one place that translates between
 * FactCast's JSON-in-protobuf and the store's typed facts, specs and errors.
 */
export function createFactStoreService(store: StoreRuntime): ServiceHandlers<typeof RemoteFactStore> {
  // Unary calls use the lookups pool; publishes the writers'; subscriptions get all pools.
  const db = store.db.lookups;
  return guarded("RemoteFactStore", {
    async handshake() {
      return {
        version: PROTOCOL_VERSION,
        properties: {
          property: {
            [`${CAPABILITY}CODECS`]: "gzip",
            [`${CAPABILITY}FAST_STATE_TOKEN`]: "true",
            [`${CAPABILITY}FACTCAST_IMPL_VERSION`]: `factline-${store.version}`,
          },
        },
      };
    },

    // The request comes from decodeFacts (RAW_PUBLISH_REQUESTS): payloads stay bytes.
    async publish(req: MSG_Facts | ReceivedFacts, ctx) {
      const request = toPublishRequest(req, ctx);
      requireWrite(
        principalOf(ctx),
        request.facts.map((f) => f.header.ns),
      );
      // The signal is made only if a payload goes to a validation worker; the group commit listens to
      // the call itself (an AbortController per publish was ~3 % of its CPU, docs/performance.md).
      request.registryGeneration = await store.registry.checkConfirmed(request.facts, () => ctx.signal);
      await store.appender.publish(request, ctx.values.get(CALL_CANCELLATION) ?? ctx.signal);
      countPublished(request.facts);
      return {};
    },

    // The request comes from decodeConditionalPublish (RAW_PUBLISH_REQUESTS): payloads stay bytes.
    async publishConditional(req: MSG_ConditionalPublishRequest | ReceivedConditionalPublish, ctx) {
      const request = toPublishRequest(req.facts, ctx);
      requireWrite(
        principalOf(ctx),
        request.facts.map((f) => f.header.ns),
      );
      request.registryGeneration = await store.registry.checkConfirmed(request.facts, () => ctx.signal);
      if (!req.tokenPresent || !req.token) {
        await store.appender.publish(request, ctx.values.get(CALL_CANCELLATION) ?? ctx.signal);
        countPublished(request.facts);
        return { success: true };
      }
      const success = await tokens.publishIfUnchanged(
        store.db.writes,
        store.db.health,
        bitsToUuid(req.token.msb, req.token.lsb),
        request,
        store.registry,
      );
      if (success) {
        store.tail.nudge();
        countPublished(request.facts);
      }
      return { success };
    },

    async *subscribe(req, ctx) {
      const request = parseSubscriptionRequest(req.json);
      requireRead(
        principalOf(ctx),
        request.specs.map((s) => s.ns),
      );
      if (request.specs.some((s) => s.filterScript !== undefined)) {
        if (!store.filterScripts) {
          throw new InvalidInputError(
            "filter scripts are turned off on this store (FACTLINE_FILTER_SCRIPTS=off); filter on ns, type, aggIds or meta instead",
          );
        }
        await checkFilterScripts(request.specs, store.sandbox);
      }
      const budget = factsBudget(ctx.requestHeader.get("fc-maxmsg"));
      // Seen by operators (OperationsService, metrics) until it ends, and endable by them.
      const tracked = store.subscriptions.open(request, {
        clientId: ctx.requestHeader.get("fc-id") ?? "",
        clientAddress: callerAddressOf(ctx),
        account: principalOf(ctx).account,
      });
      tracked.onEnd(ctx.values.get(END_CALL));
      const events = runSubscription(request, {
        db: store.db,
        tail: tracked.tracking(store.tail),
        signal: ctx.signal,
        shutdown: store.shutdown,
        fastForward: ctx.requestHeader.has("fc-ffwd"),
        cursorIdleMs: store.cursorIdleMs,
        readTimeoutMs: store.catchupReadTimeoutMs,
        live: liveSink(ctx.values.get(FRAME_STREAM), budget, tracked),
        deliver: deliveryStage(request.specs, {
          transformer: store.transformations.transformer,
          sandbox: store.sandbox,
          scope: principalOf(ctx).account,
          cache: store.transformations.cache,
        }),
        warm: warmStage(request.specs, store.transformations),
        prepareRows: (rows) => [...rowBatches(rows, budget)],
      });
      store.stats.activeSubscriptions++;
      try {
        tracked.waitingForStore = true;
        for await (const event of events) {
          tracked.waitingForStore = false;
          tracked.saw(event);
          yield* toNotifications(event, budget);
          tracked.waitingForStore = true;
        }
      } finally {
        store.stats.activeSubscriptions--;
        tracked.close();
      }
    },

    async fetchById(req, ctx) {
      return encodeOptionalFact(readable(await routedFactById(store.db, bitsToUuid(req.msb, req.lsb)), ctx));
    },

    async fetchByIdAndVersion(req, ctx) {
      const fact = readable(await routedFactById(store.db, bitsToUuid(req.msb, req.lsb)), ctx);
      if (!fact || req.ver === 0) return encodeOptionalFact(fact);
      if (req.ver < 0) throw new InvalidInputError(`ver must be 0 (as published) or more, got ${req.ver}`);
      // FactCast: the fact as that version, through the registry's transformations (or the
      // MissingTransformationInformation / Transformation exception saying why not).
      const header = JSON.parse(fact.header) as FactHeader;
      const [delivered] = await store.transformations.transformer.transform(
        [{ fact, header, targets: [req.ver] }],
        ctx.signal,
      );
      return encodeOptionalFact(delivered);
    },

    async fetchBySerial(req, ctx) {
      return encodeOptionalFact(readable(await routedFactBySerial(store.db, req.serial), ctx));
    },

    async serialOf(req) {
      const serial = await routedSerialOf(store.db, bitsToUuid(req.msb, req.lsb));
      return serial === undefined ? { present: false } : { present: true, serial };
    },

    async latestSerial() {
      return { serial: await lookup.latestSerial(db) };
    },

    async lastSerialBefore(req) {
      return { serial: await lookup.lastSerialBefore(db, isoDay(req)) };
    },

    async firstSerialAfter(req) {
      return { serial: await lookup.firstSerialAfter(db, isoDay(req)) };
    },

    async currentTime() {
      return { millis: await lookup.databaseTimeMillis(db) };
    },

    async enumerateNamespaces(_req, ctx) {
      const principal = principalOf(ctx);
      return { embeddedString: (await catalog.namespaces(db)).filter((ns) => principal.mayRead(ns)) };
    },

    async enumerateTypes(req, ctx) {
      requireRead(principalOf(ctx), [req.embeddedString]);
      return { embeddedString: await catalog.typesOf(db, req.embeddedString) };
    },

    async enumerateVersions(req, ctx) {
      requireRead(principalOf(ctx), [req.ns]);
      return { embeddedInteger: await catalog.versionsOf(db, req.ns, req.type) };
    },

    async stateForSpecsJson(req, ctx) {
      return uuidToBits(await tokens.stateFor(db, readableSpecs(req.json, ctx)));
    },

    async currentStateForSpecsJson(req, ctx) {
      return uuidToBits(await tokens.currentStateFor(db, readableSpecs(req.json, ctx)));
    },

    async stateFor(req, ctx) {
      // The deprecated aggregate-based form: one spec per aggregate id in the namespace.
      const ns = req.nsPresent ? req.ns : "*";
      if (ns.trim() === "") throw new InvalidInputError("stateFor: ns must not be blank when nsPresent is set");
      requireRead(principalOf(ctx), [ns]);
      const base: FactSpec = { ns, version: 0, aggIds: [], meta: {}, metaKeyExists: {}, aggIdProperties: {} };
      const specs =
        req.aggIds.length === 0 ? [base] : req.aggIds.map((id) => ({ ...base, aggIds: [bitsToUuid(id.msb, id.lsb)] }));
      return uuidToBits(await tokens.stateFor(db, specs));
    },

    async invalidate(req) {
      await tokens.invalidate(db, bitsToUuid(req.msb, req.lsb));
      return {};
    },
  });
}

/**
 * Live facts written straight into the call's stream by the subscription's follower, counted as
 * delivered as they go in (what the generator's events would have told `tracked`). None when the
 * call has no such stream (compressed replies).
 */
function liveSink(stream: FrameStream | undefined, budget: number, tracked: TrackedSubscription): LiveSink | undefined {
  if (!stream) return undefined;
  const write = (frame: Buffer) => stream.write(frame);
  return {
    write: (batch) => {
      tracked.sawLive(batch.facts);
      return writeLiveFacts(batch.facts, budget, write);
    },
    onDrain: (resume) => stream.onDrain(resume),
  };
}

function toPublishRequest(msg: MSG_Facts | ReceivedFacts | undefined, ctx: HandlerContext): PublishRequest {
  const source = clientIdOf(ctx);
  return { facts: (msg?.fact ?? []).map((f, i) => prepareFact(f, i, source)) };
}

/**
 * The specs of a state token. A filter script in them is not run: the state covers every fact the
 * rest of the spec matches, as FactCast's token store computes it (a lock that notices more changes
 * than the script would let through is safe; one that notices fewer would not be).
 */
function readableSpecs(json: string, ctx: HandlerContext): FactSpec[] {
  const specs = parseFactSpecsJson(json);
  requireRead(
    principalOf(ctx),
    specs.map((s) => s.ns),
  );
  return specs;
}

/** A looked-up fact, once the caller is known to read its namespace (FactCast checks after the lookup, too). */
function readable(fact: StoredFact | undefined, ctx: HandlerContext): StoredFact | undefined {
  if (fact) requireRead(principalOf(ctx), [(JSON.parse(fact.header) as FactHeader).ns]);
  return fact;
}

function isoDay(date: MSG_Date): string {
  const { year, month, day } = date;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1 ||
    year > 9999 ||
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day
  ) {
    throw new InvalidInputError(
      `${year}-${month}-${day} is not a calendar date (year 1-9999, month 1-12, day of that month)`,
    );
  }
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
