import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { SchemaRegistryService } from "../../../gen/factline/admin/v1/schemas_pb";
import { SchemaService } from "../../../gen/factline/console/v1/schemas_pb";
import { createSchemaService, NO_REGISTRY_MESSAGE } from "./schemas";
import { createUpstream } from "../upstream/upstream";

/** The console's SchemaService over an in-memory store that implements `registry` (or not). */
function consoleOver(registry: Parameters<typeof createRouterTransport>[0]) {
  const upstream = createUpstream({ url: "http://store.test:9090", transport: createRouterTransport(registry) });
  return createClient(
    SchemaService,
    createRouterTransport((r) => r.service(SchemaService, createSchemaService({ upstream }))),
  );
}

describe("SchemaService", () => {
  it("passes requests and answers through unchanged", async () => {
    const client = consoleOver((r) =>
      r.service(SchemaRegistryService, {
        listSchemas: (req) => ({
          schemas: [{ key: { ns: req.ns, type: "Created", version: 1 }, factCount: 3n }],
          unschematized: [{ ns: "b", type: "X" }],
        }),
        validatePayload: (req) => ({
          valid: false,
          errors: [{ pointer: "/name", message: `bad in ${req.payloadJson}`, keyword: "type" }],
        }),
      }),
    );
    const list = await client.listSchemas({ ns: "users" });
    expect(list.schemas[0]).toMatchObject({ key: { ns: "users", type: "Created", version: 1 }, factCount: 3n });
    expect(list.unschematized).toMatchObject([{ ns: "b", type: "X" }]);
    const res = await client.validatePayload({ key: { ns: "users", type: "Created", version: 1 }, payloadJson: "{}" });
    expect(res.errors).toMatchObject([{ pointer: "/name", message: "bad in {}", keyword: "type" }]);
  });

  it("says the store has no registry when the admin services are missing", async () => {
    const client = consoleOver(() => {});
    const err = await client.listSchemas({}).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((err as ConnectError).rawMessage).toBe(NO_REGISTRY_MESSAGE);
  });

  it("keeps the store's own rejection of a request (NOT_FOUND, INVALID_ARGUMENT) with its message", async () => {
    const client = consoleOver((r) =>
      r.service(SchemaRegistryService, {
        getSchema: () => {
          throw new ConnectError("no schema users/Created/9", Code.NotFound);
        },
      }),
    );
    const err = ConnectError.from(
      await client.getSchema({ key: { ns: "users", type: "Created", version: 9 } }).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toContain("no schema users/Created/9");
  });
});
