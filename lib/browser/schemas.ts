/** The schema registry through the console backend (SchemaService): list, one version, diffs, checks. */
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { SchemaService } from "../../gen/factline/console/v1/schemas_pb";

export interface SchemaKeyParams {
  ns: string;
  type: string;
  version: number;
}

/** Every registered version (schemas omitted) and the types with facts but no schema. */
export function useSchemaList(ns = "", type = "") {
  return useQuery(SchemaService.method.listSchemas, { ns, type });
}

/** One version with its schema and examples; disabled until a version is chosen. */
export function useSchema(key: SchemaKeyParams | undefined) {
  return useQuery(SchemaService.method.getSchema, key && key.version > 0 ? { key } : undefined, { retry: false });
}

/** The classified diff between two registered versions of one type. */
export function useCompare(ns: string, type: string, from: number, to: number) {
  return useQuery(
    SchemaService.method.compareVersions,
    from > 0 && to > 0 && from !== to ? { ns, type, fromVersion: from, toVersion: to } : undefined,
  );
}

/** What registering a candidate would mean (validity, diff, dry run); runs on demand. */
export function useCheckCandidate() {
  return useMutation(SchemaService.method.checkCandidate);
}

export function useRegisterSchema() {
  return useMutation(SchemaService.method.registerSchema);
}

export function useValidatePayload() {
  return useMutation(SchemaService.method.validatePayload);
}
