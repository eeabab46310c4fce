// The transformations' changes in the audit trail: each register, forced replacement and delete,
// and each refused attempt at one, with the caller's reason for a replacement. Wraps the service's
// handlers (store/protocol/transformation-service.ts) so its code stays about transformations.
import type { TransformationService, TransformationKey } from "../../gen/factline/admin/v1/transformations_pb";
import type { ServiceHandlers } from "../grpc/service";
import type { Db } from "../storage/db";
import { audited } from "./record";

type Handlers = ServiceHandlers<typeof TransformationService>;

const subjectOf = (key: TransformationKey | undefined) =>
  key ? `${key.type} ${key.fromVersion} → ${key.toVersion}` : "";

export function auditTransformationChanges(db: Db, handlers: Handlers): Handlers {
  return {
    ...handlers,

    registerTransformation: (req, ctx) =>
      audited(
        db,
        ctx,
        {
          action: req.force ? "transformation.replace" : "transformation.register",
          ns: req.key?.ns,
          subject: subjectOf(req.key),
          reason: req.force ? req.reason : "",
        },
        async () => handlers.registerTransformation(req, ctx),
        (res) => {
          const answer = res as { replaced?: boolean; unchanged?: boolean };
          // Registering the very code a transformation already has changes nothing.
          if (answer.unchanged) return null;
          return answer.replaced
            ? { action: "transformation.replace" }
            : { action: "transformation.register", reason: "" };
        },
      ),

    deleteTransformation: (req, ctx) =>
      audited(db, ctx, { action: "transformation.delete", ns: req.key?.ns, subject: subjectOf(req.key) }, async () =>
        handlers.deleteTransformation(req, ctx),
      ),
  };
}
