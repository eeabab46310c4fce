// Methods the store does not serve answer with gRPC's UNIMPLEMENTED, not a bare HTTP 404: old
// FactCast clients still call the snapshot RPCs removed in protocol 1.5 and must get a clear answer.
import { ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { Code } from "../support/client.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("unimplemented");
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

it("answers an unknown method with UNIMPLEMENTED naming the method", async () => {
  // The same service shape under a name the store does not serve (e.g. a removed snapshot RPC's path).
  const parent = { ...RemoteFactStore, typeName: "org.factcast.grpc.api.gen.RemovedService" };
  const method = {
    ...RemoteFactStore.method.latestSerial,
    parent,
  } as unknown as typeof RemoteFactStore.method.latestSerial;
  const transport = createGrpcTransport({ baseUrl: fx.store.url });
  const error = await transport.unary(method, undefined, undefined, undefined, {}).then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error?.code).toBe(Code.Unimplemented);
  expect(error?.rawMessage).toContain("/org.factcast.grpc.api.gen.RemovedService/latestSerial");
});
