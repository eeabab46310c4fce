import type { ServiceHandlers } from "../grpc/service";
import { CatalogService, FactQueryService, InstanceService, Order } from "../../gen/factline/admin/v1/admin_pb";
import { filtersToSpecs } from "../admin/filters";
import { requireRead } from "../auth/permissions";
import { principalOf } from "../auth/principal";
import { readableSpecs } from "../admin/readable";
import { InvalidInputError } from "../errors";
import { catalogRows } from "../storage/catalog";
import { latestSerial } from "../storage/lookup";
import { factPage } from "../storage/query";
import { onReplica } from "../storage/replicas/route";
import type { StoreRuntime } from "../store";
import { guarded } from "./errors";

// A page is read into memory whole; 1,000 facts of previewed payloads stays around a megabyte.
const MAX_PAGE = 1_000;
const DEFAULT_PAGE = 100;

/** factline's catalog with counts: what FactCast's enumerate* calls cannot say. */
export function createCatalogService(store: StoreRuntime): ServiceHandlers<typeof CatalogService> {
  return guarded("CatalogService", {
    async getCatalog(req, ctx) {
      const principal = principalOf(ctx);
      if (req.ns) requireRead(principal, [req.ns]);
      // Counts and latest serial from one server (a replica when one is usable), so they agree.
      const [rows, latest] = await onReplica(store.db, "lookups", "query", (db) =>
        Promise.all([catalogRows(db, req.ns || undefined), latestSerial(db)]),
      );
      return {
        latestSerial: latest,
        // A namespace the caller cannot read does not appear at all, not even in counts.
        entries: rows
          .filter((r) => principal.mayRead(r.ns))
          .map((r) => ({
            ns: r.ns,
            type: r.type,
            version: r.version,
            factCount: r.factCount,
            firstSerial: r.firstSerial,
            lastSerial: r.lastSerial,
            firstPublishedMs: r.firstPublishedMs,
            lastPublishedMs: r.lastPublishedMs,
          })),
      };
    },
  });
}

/** Keyset pages over the fact log in either order, with FactSpec filters and payload previews. */
export function createFactQueryService(store: StoreRuntime): ServiceHandlers<typeof FactQueryService> {
  return guarded("FactQueryService", {
    async queryFacts(req, ctx) {
      const limit = req.limit === 0 ? DEFAULT_PAGE : req.limit;
      if (limit < 1 || limit > MAX_PAGE)
        throw new InvalidInputError(`limit must be from 1 to ${MAX_PAGE}, got ${req.limit}`);
      if (req.afterSerial < 0n || req.beforeSerial < 0n)
        throw new InvalidInputError("after_serial and before_serial must not be negative");
      if (req.payloadPreviewBytes < 0) throw new InvalidInputError("payload_preview_bytes must not be negative");
      const specs = await readableSpecs(store.db.lookups, principalOf(ctx), filtersToSpecs(req.filters));
      if (specs.length === 0) return { hasMore: false, facts: [] };
      // A page may be expensive (a filter no index serves): it runs on the reads pool, stops when the
      // console gives up, and has the catch-up reads' time limit.
      const { rows, hasMore } = await onReplica(
        store.db,
        "reads",
        "query",
        (db) =>
          factPage(db, {
            specs,
            newestFirst: req.order !== Order.OLDEST_FIRST,
            afterSerial: req.afterSerial > 0n ? req.afterSerial : undefined,
            beforeSerial: req.beforeSerial > 0n ? req.beforeSerial : undefined,
            limit,
            previewChars: req.payloadPreviewBytes,
            signal: ctx.signal,
            timeoutMs: store.catchupReadTimeoutMs,
          }),
        { signal: ctx.signal },
      );
      return {
        hasMore,
        facts: rows.map((r) => ({
          serial: r.ser,
          header: r.header,
          payload: r.payload,
          payloadTruncated: r.truncated,
          payloadBytes: BigInt(r.payloadBytes),
        })),
      };
    },
  });
}

/** This instance's activity: lets operators (and tests) see subscriptions come and go. */
export function createInstanceService(store: StoreRuntime): ServiceHandlers<typeof InstanceService> {
  return guarded("InstanceService", {
    async getInstanceStats() {
      return {
        activeSubscriptions: store.stats.activeSubscriptions,
        liveFollowers: store.tail.liveFollowers(),
        startedMs: BigInt(store.stats.startedMs),
        version: `factline-${store.version}`,
      };
    },
  });
}
