// The client against real loopback HTTP/2 servers (h2c and TLS with a private CA), so the
// transport options themselves are under test, not only their values.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { RemoteFactStore } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";
import {
  checkStoreUrl,
  createStoreClient,
  isLoopbackHost,
  plaintextExposure,
  StoreTargetError,
  type StoreClient,
} from "./client";

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

interface TestServer {
  url: string;
  headers: Headers[];
  /** HTTP/2 connections accepted so far. */
  connections: () => number;
  close(): Promise<void>;
}

async function serve(tls: boolean): Promise<TestServer> {
  const headers: Headers[] = [];
  const routes = (router: ConnectRouter) =>
    router.service(RemoteFactStore, {
      handshake: (_req, ctx) => {
        headers.push(ctx.requestHeader);
        return { version: { major: 1, minor: 8, patch: 0 } };
      },
    });
  const handler = connectNodeAdapter({ routes });
  const server = tls
    ? http2.createSecureServer(
        { cert: readFileSync(testdata("server.pem")), key: readFileSync(testdata("server.key")) },
        handler,
      )
    : http2.createServer(handler);
  // http2 servers keep sessions open after close(); track and destroy them.
  const sessions = new Set<http2.ServerHttp2Session>();
  let connections = 0;
  server.on("session", (s) => (connections++, sessions.add(s), s.once("close", () => sessions.delete(s))));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    headers,
    connections: () => connections,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
function open(options: Parameters<typeof createStoreClient>[0]): StoreClient {
  const client = createStoreClient(options);
  cleanup.push(() => client.close());
  return client;
}
async function started(tls = false): Promise<TestServer> {
  const server = await serve(tls);
  cleanup.push(() => server.close());
  return server;
}

describe("createStoreClient", () => {
  it("speaks h2c and sends fc-id and Basic credentials", async () => {
    const server = await started();
    await open({ url: server.url, clientId: "factline-test", user: "ops", password: "s3cret:x" }).facts.handshake({});
    expect(server.headers[0].get("fc-id")).toBe("factline-test");
    expect(server.headers[0].get("authorization")).toBe(`Basic ${Buffer.from("ops:s3cret:x").toString("base64")}`);

    await open({ url: server.url }).facts.handshake({});
    expect(server.headers[1].get("fc-id")).toBeNull();
    expect(server.headers[1].get("authorization")).toBeNull();
  });

  it("takes credentials from the URL, never shows them, and lets explicit ones win", async () => {
    const server = await started();
    const withCredentials = server.url.replace("://", "://ops:p%40ss@");
    const client = open({ url: `${withCredentials}/` });
    expect(client.url).toBe(server.url);
    await client.facts.handshake({});
    expect(server.headers[0].get("authorization")).toBe(`Basic ${Buffer.from("ops:p@ss").toString("base64")}`);
    await open({ url: withCredentials, user: "other", password: "pw" }).facts.handshake({});
    expect(server.headers[1].get("authorization")).toBe(`Basic ${Buffer.from("other:pw").toString("base64")}`);
  });

  it("sends a bearer token instead of Basic credentials", async () => {
    const server = await started();
    await open({ url: server.url, token: "eyJhbGciOi.J9-_x~+/==" }).facts.handshake({});
    expect(server.headers[0].get("authorization")).toBe("Bearer eyJhbGciOi.J9-_x~+/==");
  });

  it("calls as other users over the one connection, and lets a call's own credentials win", async () => {
    const server = await started();
    const shared = open({ url: server.url, clientId: "factline-console", user: "console", password: "pw" });
    await shared.facts.handshake({});
    await shared.withCredentials({ user: "alice", password: "a" }).facts.handshake({});
    await shared.withCredentials({ token: "t0k3n" }).facts.handshake({});
    const anonymous = shared.withCredentials(undefined);
    await anonymous.facts.handshake({});
    anonymous.close(); // leaves the shared connection open
    await shared.facts.handshake({}, { headers: { authorization: "Bearer per-call" } });
    expect(server.headers.map((h) => h.get("authorization"))).toEqual([
      `Basic ${Buffer.from("console:pw").toString("base64")}`,
      `Basic ${Buffer.from("alice:a").toString("base64")}`,
      "Bearer t0k3n",
      null,
      "Bearer per-call",
    ]);
    expect(server.headers.every((h) => h.get("fc-id") === "factline-console")).toBe(true);
    expect(server.connections()).toBe(1);
  });

  it("refuses credentials no header can carry, saying why", () => {
    const url = "http://store:9090";
    expect(() => createStoreClient({ url, user: "a:b", password: "x" })).toThrow(
      new StoreTargetError('a user name cannot contain ":" (HTTP Basic)'),
    );
    expect(() => createStoreClient({ url, token: "two words" })).toThrow(/bearer token may contain only/);
    expect(() => createStoreClient({ url, token: "" })).toThrow(/bearer token may contain only/);
    expect(() => createStoreClient({ url, user: "ops", token: "t" })).toThrow(/either a user and password or a bearer/);
    expect(() => createStoreClient({ url }).withCredentials({ token: "new\nline" })).toThrow(StoreTargetError);
  });

  it("trusts a private CA given as a file, and refuses the server without it", async () => {
    const server = await started(true);
    const trusted = await open({ url: server.url, ca: testdata("ca.pem") }).facts.handshake({});
    expect(trusted.version?.major).toBe(1);
    const untrusted = await open({ url: server.url })
      .facts.handshake({}, { timeoutMs: 10_000 })
      .then(
        () => undefined,
        (err: unknown) => ConnectError.from(err),
      );
    expect(untrusted?.message).toMatch(/certificate/i);
  });

  it("says what to fix for a CA file it cannot use", () => {
    expect(() => createStoreClient({ url: "https://store:9443", ca: "/nonexistent/ca.pem" })).toThrow(
      new StoreTargetError("cannot read the CA certificate file /nonexistent/ca.pem (ENOENT)"),
    );
    expect(() => createStoreClient({ url: "https://store:9443", ca: testdata("README.md") })).toThrow(
      /holds no PEM certificate/,
    );
    expect(() => createStoreClient({ url: "http://store:9090", ca: testdata("ca.pem") })).toThrow(
      /is for https:\/\/ stores; http:\/\/store:9090 is plaintext/,
    );
  });
});

describe("credentials over plaintext", () => {
  it("warns once per client when credentials would cross the network unencrypted", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const client = createStoreClient({ url: "http://store.internal:9090", user: "ops", password: "pw", warn });
    client.withCredentials({ user: "alice", password: "a" });
    client.withCredentials({ token: "t0k3n" });
    expect(warnings).toEqual([
      "credentials for http://store.internal:9090 go over plaintext HTTP/2 (http://): anyone on the network path can read them; serve the store with TLS (FACTLINE_TLS_CERT and FACTLINE_TLS_KEY) and connect with https://",
    ]);
  });

  it("warns for the first signed-in user of a client without credentials of its own, and never without any", () => {
    const warnings: string[] = [];
    const client = createStoreClient({ url: "http://10.0.0.7:9090", warn: (m) => warnings.push(m) });
    client.withCredentials(undefined);
    expect(warnings).toEqual([]);
    client.withCredentials({ token: "t0k3n" });
    client.withCredentials({ user: "bob", password: "b" });
    expect(warnings).toHaveLength(1);
  });

  it("stays quiet over TLS and on loopback", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    for (const url of [
      "https://store.internal:9443",
      "http://127.0.0.1:9090",
      "http://localhost:9090",
      "http://[::1]:9090",
    ]) {
      createStoreClient({ url, user: "ops", password: "pw", warn });
    }
    expect(warnings).toEqual([]);
  });

  it("knows loopback addresses from others", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "api.localhost", "[::1]", "::1"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["10.0.0.1", "128.0.0.1", "127.example.com", "localhost.example.com", "[::2]", "0.0.0.0"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(plaintextExposure(new URL("http://127.0.0.1.nip.io:9090"))).toMatch(/plaintext/);
  });
});

describe("checkStoreUrl", () => {
  it("accepts http and https URLs, without trailing slashes", () => {
    expect(checkStoreUrl("http://h:1/")).toBe("http://h:1");
    expect(checkStoreUrl("https://factcast.internal:9443")).toBe("https://factcast.internal:9443");
  });

  it("refuses anything else with a message that says what a store URL looks like", () => {
    expect(() => checkStoreUrl("not a url")).toThrow(
      new StoreTargetError('must be a URL like http://127.0.0.1:9090, got "not a url"'),
    );
    expect(() => checkStoreUrl("h:1")).toThrow(/must start with http:\/\/ \(plaintext gRPC\) or https:\/\/ \(TLS\)/);
    expect(() => checkStoreUrl("grpc://h:1")).toThrow(StoreTargetError);
    expect(() => createStoreClient({ url: "" })).toThrow(StoreTargetError);
  });
});
