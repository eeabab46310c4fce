// A schema-registry client for the registry tests.
import type { Client } from "@connectrpc/connect";
import { createStoreClient } from "../../factcast/client.js";
import type { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";

export type RegistryClient = Client<typeof SchemaRegistryService>;

export function registryClient(baseUrl: string, fcId = "registry-test"): RegistryClient {
  return createStoreClient({ url: baseUrl, clientId: fcId }).registry;
}

/** An object schema with the given required string properties (and optional extra properties). */
export function objectSchema(
  required: string[],
  properties: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  const props: Record<string, unknown> = {
    ...Object.fromEntries(required.map((r) => [r, { type: "string" }])),
    ...properties,
  };
  return JSON.stringify({ type: "object", required, properties: props, ...extra });
}
