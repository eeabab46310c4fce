/**
 * The services a store serves on its gRPC port: FactCast's RemoteFactStore always, factline's
 * admin services unless FACTLINE_ADMIN_SERVICES=off. One place, used by store/main.ts and by tests
 * that run a store in their own process (tests/java-client/in-process-store.ts).
 */
import { CatalogService, FactQueryService, InstanceService } from "../../gen/factline/admin/v1/admin_pb";
import { AccessService } from "../../gen/factline/admin/v1/access_pb";
import { AuditService } from "../../gen/factline/admin/v1/audit_pb";
import { OperationsService } from "../../gen/factline/admin/v1/operations_pb";
import { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb";
import { TransformationService } from "../../gen/factline/admin/v1/transformations_pb";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { refusalRecorder } from "../audit/refusals";
import type { GrpcRoutes } from "../grpc/service";
import type { StoreRuntime } from "../store";
import { createAccessService } from "./access-service";
import { createCatalogService, createFactQueryService, createInstanceService } from "./admin-services";
import { createAuditService } from "./audit-service";
import { COMPRESSED_REPLIES, createFactStoreService, RAW_PUBLISH_REQUESTS } from "./fact-store-service";
import { createOperationsService } from "./operations-service";
import { createSchemaRegistryService } from "./schema-registry-service";
import { createTransformationService } from "./transformation-service";

export function registerServices(routes: GrpcRoutes, runtime: StoreRuntime, adminServices: boolean): void {
  // Calls refused for who is calling go into the audit trail, whichever service refused them.
  routes.onRefusal = refusalRecorder(runtime.db.lookups);
  routes.service(RemoteFactStore, createFactStoreService(runtime), {
    compressedReplies: COMPRESSED_REPLIES,
    requestDecoders: RAW_PUBLISH_REQUESTS,
  });
  if (!adminServices) return;
  routes.service(CatalogService, createCatalogService(runtime));
  routes.service(FactQueryService, createFactQueryService(runtime));
  routes.service(InstanceService, createInstanceService(runtime));
  routes.service(SchemaRegistryService, createSchemaRegistryService(runtime));
  routes.service(TransformationService, createTransformationService(runtime));
  routes.service(AuditService, createAuditService(runtime));
  routes.service(AccessService, createAccessService(runtime));
  routes.service(OperationsService, createOperationsService(runtime));
}
