import { Writable } from "node:stream";
import { Code, ConnectError, createRouterTransport, encodeBinaryHeader } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { RemoteFactStore } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { ExitCode } from "./errors";
import { run } from "./main";
import { Runtime } from "./runtime";
import { checkStoreUrl, handshake, openStore, storeError } from "./store-client";

const URL = "http://store:9090";

describe("storeError", () => {
  it("says a refused connection is unreachable (3), in one line with what to do", () => {
    const err = new ConnectError(
      "connect ECONNREFUSED",
      Code.Unavailable,
      undefined,
      undefined,
      Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    );
    const mapped = storeError(err, URL);
    expect(mapped.exitCode).toBe(ExitCode.unreachable);
    expect(mapped.message).toBe(
      `cannot reach the store at ${URL} (connection refused); is it running? use --store or FACTLINE_STORE_URL`,
    );
  });

  it("shows FactCast's exception trailers for rejections (2)", () => {
    const trailers = new Headers({
      "exc-bin": encodeBinaryHeader("org.factcast.core.DuplicateFactException"),
      "msg-bin": encodeBinaryHeader("duplicate fact id: 1"),
    });
    const mapped = storeError(new ConnectError("x", Code.Unknown, trailers), URL);
    expect(mapped).toMatchObject({
      exitCode: ExitCode.rejected,
      message: "the store rejected the request: DuplicateFactException: duplicate fact id: 1",
    });
  });

  it("maps statuses the store chose to 2 and an unavailable store to 3", () => {
    expect(storeError(new ConnectError("bad", Code.InvalidArgument), URL)).toMatchObject({
      exitCode: 2,
      message: "the store rejected the request: INVALID_ARGUMENT: bad",
    });
    expect(storeError(new ConnectError("who?", Code.Unauthenticated), URL).exitCode).toBe(2);
    expect(storeError(new ConnectError("shutting down", Code.Unavailable), URL).exitCode).toBe(3);
    // The CLI's own cancellations (Ctrl-C) are handled before mapping; any other is a lost connection.
    expect(storeError(new ConnectError("reset", Code.Canceled), URL)).toMatchObject({
      exitCode: 3,
      message: `lost the connection to the store at ${URL}`,
    });
  });
});

describe("handshake", () => {
  it("reads protocol version and properties", async () => {
    const transport = createRouterTransport(({ service }) =>
      service(RemoteFactStore, {
        handshake: () => ({ version: { major: 1, minor: 8, patch: 0 }, properties: { property: { a: "b" } } }),
      }),
    );
    const info = await handshake(openStore({ url: URL }, transport));
    expect(info).toEqual({ version: { major: 1, minor: 8, patch: 0 }, properties: { a: "b" } });
  });

  it("treats a server without FactCast's service as unreachable", async () => {
    const transport = createRouterTransport(() => {});
    await expect(handshake(openStore({ url: URL }, transport))).rejects.toMatchObject({
      exitCode: ExitCode.unreachable,
    });
  });
});

describe("checkStoreUrl", () => {
  it("accepts http(s) URLs and refuses others as usage errors", () => {
    expect(checkStoreUrl("http://h:1/")).toBe("http://h:1");
    expect(() => checkStoreUrl("h:1")).toThrow(expect.objectContaining({ exitCode: ExitCode.usage }));
    expect(() => checkStoreUrl("not a url")).toThrow(expect.objectContaining({ exitCode: ExitCode.usage }));
  });
});

describe("the CLI's warning about plaintext credentials", () => {
  async function namespaces(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
    const transport = createRouterTransport(({ service }) =>
      service(RemoteFactStore, {
        handshake: () => ({ version: { major: 1, minor: 8, patch: 0 } }),
        enumerateNamespaces: () => ({ embeddedString: ["shop"] }),
      }),
    );
    let stdout = "";
    let stderr = "";
    const out = new Writable({ write: (chunk, _enc, done) => ((stdout += String(chunk)), done()) });
    const err = new Writable({ write: (chunk, _enc, done) => ((stderr += String(chunk)), done()) });
    const code = await run(["node", "factline", ...args, "namespaces"], new Runtime(out, err, transport));
    return { code, stderr, stdout };
  }

  it("says once on stderr that Basic credentials to another machine go unencrypted, and still runs", async () => {
    const result = await namespaces(["--store", "http://store.internal:9090", "--user", "ops", "--password", "pw"]);
    expect(result).toEqual({
      code: 0,
      stdout: "shop\n",
      stderr:
        "factline: warning: credentials for http://store.internal:9090 go over plaintext HTTP/2 (http://): anyone on the network path can read them; serve the store with TLS (FACTLINE_TLS_CERT and FACTLINE_TLS_KEY) and connect with https://\n",
    });
  });

  it("says nothing without credentials, over https:// or on loopback", async () => {
    for (const args of [
      ["--store", "http://store.internal:9090"],
      ["--store", "https://store.internal:9443", "--user", "ops", "--password", "pw"],
      ["--store", "http://127.0.0.1:9090", "--user", "ops", "--password", "pw"],
    ]) {
      expect((await namespaces(args)).stderr, args.join(" ")).toBe("");
    }
  });
});
