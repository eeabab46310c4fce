import { Code, ConnectError, createClient, createRouterTransport, type Transport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../../factcast/errors";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { createConsoleService } from "./console-service";
import { WITHOUT_ADMIN } from "./status";
import { consoleFor, FAKE_URL } from "../testing/console";
import { FakeStore } from "../testing/fake-store";
import { createUpstream } from "../upstream/upstream";

/** A transport that fails every call the way connect-node does when nothing listens. */
function failingTransport(err: () => ConnectError): Transport {
  const fail = () => Promise.reject(err());
  return { unary: fail, stream: fail };
}

function consoleOver(transport: Transport, url = "http://127.0.0.1:9090") {
  const upstream = createUpstream({ url, transport });
  return createClient(
    ConsoleService,
    createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream }))),
  );
}

const refused = () =>
  new ConnectError(
    "connect ECONNREFUSED 127.0.0.1:9090",
    Code.Unavailable,
    undefined,
    undefined,
    Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
  );

describe("GetStoreStatus", () => {
  it("reports a factline store: protocol, implementation, latest serial, admin services", async () => {
    const store = new FakeStore();
    store.publish({ ns: "a" });
    const status = await consoleFor(store).client.getStoreStatus({});
    expect(status).toMatchObject({
      url: FAKE_URL,
      reachable: true,
      error: "",
      protocolVersion: "1.8.0",
      implementation: "fake-1.0",
      latestSerial: 1n,
      adminAvailable: true,
      unavailableFeatures: [],
    });
  });

  it("says what a plain FactCast server cannot do", async () => {
    const status = await consoleFor(new FakeStore({ admin: false })).client.getStoreStatus({});
    expect(status.reachable).toBe(true);
    expect(status.adminAvailable).toBe(false);
    expect(status.unavailableFeatures).toEqual(WITHOUT_ADMIN);
    expect(status.unavailableFeatures[0]).toBe("Fact counts and last-activity times need factline's admin services.");
  });

  it("answers reachable = false with what to do when nothing listens, instead of failing", async () => {
    const status = await consoleOver(failingTransport(refused)).getStoreStatus({});
    expect(status).toMatchObject({
      url: "http://127.0.0.1:9090",
      reachable: false,
      error:
        "cannot connect to http://127.0.0.1:9090 (connection refused): is the store running? set FACTLINE_STORE_URL",
    });
  });

  it("tells a store whose database is down from an unreachable one, and recovers with it", async () => {
    const store = new FakeStore();
    store.publish({ ns: "shop", type: "OrderPlaced" });
    const { client } = consoleFor(store);
    store.databaseDown = true;
    const down = await client.getStoreStatus({});
    expect(down).toMatchObject({
      url: FAKE_URL,
      reachable: false,
      databaseUnavailable: true,
      implementation: "fake-1.0",
      protocolVersion: "1.8.0",
      error: `the store at ${FAKE_URL} answers, but cannot reach its database (the store cannot reach its database; retry shortly); it recovers by itself when PostgreSQL is back`,
    });
    store.databaseDown = false;
    expect(await client.getStoreStatus({})).toMatchObject({
      reachable: true,
      databaseUnavailable: false,
      latestSerial: 1n,
    });
  });

  it("names the credentials when the store wants them", async () => {
    const status = await consoleOver(
      failingTransport(() => new ConnectError("no credentials", Code.Unauthenticated)),
    ).getStoreStatus({});
    expect(status.error).toContain("set FACTLINE_STORE_USER and FACTLINE_STORE_PASSWORD");
  });

  it("never shows credentials from the URL", async () => {
    const status = await consoleOver(failingTransport(refused), "http://ops:secret@store.example:9090").getStoreStatus(
      {},
    );
    expect(status.url).toBe("http://store.example:9090");
    expect(status.error).not.toContain("secret");
  });
});

describe("store errors on data calls", () => {
  it("say 'the store's database is unavailable' and keep the store's marker for the browser", async () => {
    const store = new FakeStore();
    const { client } = consoleFor(store);
    store.databaseDown = true;
    for (const call of [client.getCatalog({}), client.getFact({ key: { case: "serial", value: 1n } })]) {
      const error = await call.then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error).toMatchObject({
        code: Code.Unavailable,
        rawMessage: "the store's database is unavailable: the store cannot reach its database; retry shortly",
      });
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
  });

  it("an UNAVAILABLE without the marker (a plain FactCast server) stays 'store unreachable'", async () => {
    const client = consoleOver(failingTransport(() => new ConnectError("database down", Code.Unavailable)));
    const error = await client.getCatalog({}).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.Unavailable });
    expect((error as ConnectError).rawMessage).toMatch(/^store unreachable: /);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("become UNAVAILABLE 'store unreachable: …' a browser can show", async () => {
    const client = consoleOver(failingTransport(refused));
    await expect(client.getCatalog({})).rejects.toMatchObject({
      code: Code.Unavailable,
      rawMessage:
        "store unreachable: cannot connect to http://127.0.0.1:9090 (connection refused): is the store running? set FACTLINE_STORE_URL",
    });
    await expect(client.getFact({ key: { case: "serial", value: 1n } })).rejects.toMatchObject({
      code: Code.Unavailable,
    });
  });
});
