import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CatalogService } from "../../gen/factline/admin/v1/admin_pb";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { openStore } from "../store-client";
import { gatherInfo, renderInfo } from "./info";

const server = {
  version: { major: 1, minor: 8, patch: 0 },
  properties: { "org.factcast.grpc.api.Capabilities.FACTCAST_IMPL_VERSION": "0.12.1" },
};
const signal = new AbortController().signal;

// What every FactCast 1.8 server answers.
const factcast = {
  latestSerial: () => ({ serial: 42n }),
  enumerateNamespaces: () => ({ embeddedString: ["users", "shop"] }),
  enumerateTypes: (req: { embeddedString: string }) => ({
    embeddedString: req.embeddedString === "shop" ? ["OrderPlaced"] : ["UserRegistered"],
  }),
  enumerateVersions: (req: { type: string }) => ({ embeddedInteger: req.type === "OrderPlaced" ? [2, 1] : [0] }),
};

describe("info", () => {
  it("uses factline's catalog with counts when the server has it", async () => {
    const transport = createRouterTransport(({ service }) => {
      service(RemoteFactStore, factcast);
      service(CatalogService, {
        getCatalog: () => ({
          latestSerial: 42n,
          entries: [
            {
              ns: "shop",
              type: "OrderPlaced",
              version: 1,
              factCount: 1200n,
              firstSerial: 1n,
              lastSerial: 40n,
              firstPublishedMs: 0n,
              lastPublishedMs: 86_400_000n,
            },
          ],
        }),
      });
    });
    const info = await gatherInfo(openStore({ url: "http://s:1" }, transport), server, signal);
    expect(info).toMatchObject({ latestSerial: 42, counts: true, implementation: "0.12.1", protocol: "1.8.0" });
    expect(info.catalog).toEqual([
      {
        ns: "shop",
        type: "OrderPlaced",
        version: 1,
        factCount: 1200,
        firstSerial: 1,
        lastSerial: 40,
        firstPublished: "1970-01-01T00:00:00.000Z",
        lastPublished: "1970-01-02T00:00:00.000Z",
      },
    ]);
    expect(renderInfo(info).join("\n")).toMatch(/shop\s+OrderPlaced\s+1\s+1,200\s+40\s+1970-01-02 00:00:00/);
  });

  it("falls back to names from the enumerate calls on a plain FactCast server, and says so", async () => {
    const transport = createRouterTransport(({ service }) => {
      service(RemoteFactStore, factcast);
      service(CatalogService, {
        getCatalog: () => {
          throw new ConnectError("not here", Code.Unimplemented);
        },
      });
    });
    const info = await gatherInfo(openStore({ url: "http://s:1" }, transport), server, signal);
    expect(info.counts).toBe(false);
    expect(info.catalog).toEqual([
      { ns: "shop", type: "OrderPlaced", version: 1 },
      { ns: "shop", type: "OrderPlaced", version: 2 },
      { ns: "users", type: "UserRegistered", version: 0 },
    ]);
    expect(renderInfo(info).at(-1)).toMatch(/counts need factline's admin services/);
  });
});
