// The schema registry's changes in the audit trail: each register, forced replacement, delete and
// import, and each refused attempt at one, with the caller's reason for a replacement. Wraps the
// service's handlers (store/protocol/schema-registry-service.ts) so the registry code stays about schemas.
import type { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb";
import type { ServiceHandlers } from "../grpc/service";
import type { Db } from "../storage/db";
import { audited } from "./record";

type Handlers = ServiceHandlers<typeof SchemaRegistryService>;

export function auditSchemaChanges(db: Db, handlers: Handlers): Handlers {
  return {
    ...handlers,

    registerSchema: (req, ctx) =>
      audited(
        db,
        ctx,
        {
          action: req.force ? "schema.replace" : "schema.register",
          ns: req.key?.ns,
          subject: req.key ? `${req.key.type} v${req.key.version}` : "",
          reason: req.force ? req.reason : "",
        },
        async () => handlers.registerSchema(req, ctx),
        (res) => {
          const answer = res as { replaced?: boolean; unchanged?: boolean };
          // Registering the very schema a version already has changes nothing.
          if (answer.unchanged) return null;
          return answer.replaced ? { action: "schema.replace" } : { action: "schema.register", reason: "" };
        },
      ),

    deleteSchema: (req, ctx) =>
      audited(
        db,
        ctx,
        { action: "schema.delete", ns: req.key?.ns, subject: req.key ? `${req.key.type} v${req.key.version}` : "" },
        async () => handlers.deleteSchema(req, ctx),
      ),

    importRegistry: (req, ctx) =>
      audited(
        db,
        ctx,
        {
          action: "schema.import",
          subject: `${Object.keys(req.files).length} files`,
          reason: req.force ? "forced: conflicting versions replaced" : "",
        },
        async () => handlers.importRegistry(req, ctx),
        (res) => {
          const r = res as {
            imported?: number;
            unchanged?: number;
            replaced?: number;
            conflicts?: unknown[];
            transformationsImported?: number;
            transformationsUnchanged?: number;
            transformationsReplaced?: number;
            transformationConflicts?: unknown[];
          };
          return {
            detail:
              `${r.imported ?? 0} imported, ${r.unchanged ?? 0} unchanged, ${r.replaced ?? 0} replaced, ` +
              `${r.conflicts?.length ?? 0} in conflict; transformations: ${r.transformationsImported ?? 0} imported, ` +
              `${r.transformationsUnchanged ?? 0} unchanged, ${r.transformationsReplaced ?? 0} replaced, ` +
              `${r.transformationConflicts?.length ?? 0} in conflict`,
          };
        },
      ),
  };
}
