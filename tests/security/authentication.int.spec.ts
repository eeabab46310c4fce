// Authentication on every call, and the start-up rules: what the store refuses to start with, and
// what its start line says about who may call.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type DescMethod } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import bcrypt from "bcrypt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogService, FactQueryService, InstanceService } from "../../gen/factline/admin/v1/admin_pb.js";
import { SchemaRegistryService } from "../../gen/factline/admin/v1/schemas_pb.js";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { Code, expectFailure } from "../support/client.js";
import { startStore, startStoreOnFreshDatabase } from "../support/store.js";
import { basic, clientsFor, startSecuredStore, type SecuredStore } from "./support.js";

const ACCESS = {
  accounts: [
    { id: "plain", roles: ["reader"] },
    { id: "hashed", roles: ["reader"] },
  ],
  roles: [{ id: "reader", read: { include: ["*"] } }],
};

let fx: SecuredStore;
beforeAll(async () => {
  const secrets = [
    "factcast.access.secrets.plain=plain-pw",
    `factcast.access.secrets.hashed={bcrypt}${await bcrypt.hash("hashed-pw", 4)}`,
    "factcast.access.secrets.ghost=nobody-has-this-account",
  ].join("\n");
  fx = await startSecuredStore({ access: ACCESS, secrets, label: "authn" });
}, 120_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

const SERVICES = [RemoteFactStore, CatalogService, FactQueryService, InstanceService, SchemaRegistryService];

/** Calls `method` with an empty request; resolves to the error it ends with (or undefined). */
async function callEmpty(baseUrl: string, method: DescMethod, authorization?: string) {
  const transport = createGrpcTransport({
    baseUrl,
    interceptors: [(next) => (req) => (authorization && req.header.set("authorization", authorization), next(req))],
  });
  const service = SERVICES.find((s) => s.methods.includes(method))!;
  const client = createClient(service, transport) as unknown as Record<string, (req: unknown) => unknown>;
  const call = client[method.localName](create(method.input));
  if (method.methodKind === "server_streaming") {
    return expectFailure(
      (async () => {
        for await (const _ of call as AsyncIterable<unknown>) void _;
      })(),
    );
  }
  return expectFailure(call as Promise<unknown>);
}

describe("every call is authenticated, the handshake included", () => {
  const methods = SERVICES.flatMap((s) => s.methods);

  it.each(methods.map((m) => [`${m.parent.name}.${m.name}`, m] as const))("%s without credentials", async (_, m) => {
    const failure = await callEmpty(fx.store.url, m);
    expect(failure.code).toBe(Code.Unauthenticated);
    expect(failure.message).toMatch(/authentication required: send HTTP Basic credentials/);
  });

  it.each([
    ["a wrong plaintext password", basic("plain", "wrong")],
    ["a wrong password for a bcrypt secret", basic("hashed", "wrong")],
    ["an account the access file does not define", basic("ghost", "nobody-has-this-account")],
    ["an unknown user", basic("mallory", "plain-pw")],
    ["an empty password", basic("plain", "")],
  ])("refuses %s as UNAUTHENTICATED, never saying whether the account exists", async (_, header) => {
    const failure = await callEmpty(fx.store.url, RemoteFactStore.method.handshake, header);
    expect(failure).toMatchObject({ code: Code.Unauthenticated, message: "wrong user or password" });
  });

  it.each([
    ["Basic without a colon", `Basic ${Buffer.from("plain").toString("base64")}`, /not valid Basic/],
    ["Basic with junk", "Basic !!!", /not valid Basic/],
    ["another scheme", "Digest username=plain", /scheme "Digest" is not accepted; use Basic$/],
    ["a bearer token while the store has no OIDC issuer", "Bearer abc.def.ghi", /scheme "Bearer" is not accepted/],
  ])("refuses %s", async (_, header, message) => {
    const failure = await callEmpty(fx.store.url, RemoteFactStore.method.latestSerial, header);
    expect(failure.code).toBe(Code.Unauthenticated);
    expect(failure.message).toMatch(message);
  });

  it("accepts plaintext and hashed secrets, many calls in a row (a verified credential is remembered)", async () => {
    for (const header of [basic("plain", "plain-pw"), basic("hashed", "hashed-pw")]) {
      const { facts } = fx.as(header);
      expect((await facts.handshake({})).version?.major).toBe(1);
      await Promise.all(Array.from({ length: 50 }, () => facts.latestSerial({})));
    }
  });

  it("warns about a secret for an account the access file does not define", () => {
    expect(fx.store.output()).toMatch(/a secret is given for account "ghost", which the access file does not define/);
  });

  it("says in its start line that an access file is in force", () => {
    expect(fx.store.output()).toMatch(
      /factline store listening on 127\.0\.0\.1:\d+ \(access file .*: 2 accounts, 1 roles; Basic\)/,
    );
  });
});

describe("start-up", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "factline-startup-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Refusals happen before the database is touched, so none is needed.
  const NO_DATABASE = "postgres://factline:unused@127.0.0.1:1/unused";
  async function refusal(env: Record<string, string>): Promise<string> {
    const started = startStore({ databaseUrl: NO_DATABASE, env });
    const error = await started.then(
      async (s) => {
        await s.stop();
        throw new Error(`the store started: ${s.output()}`);
      },
      (err: Error) => err.message,
    );
    return error;
  }
  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it("refuses an account without a secret, naming it and the fix", async () => {
    const access = await file("a.json", JSON.stringify(ACCESS));
    const secrets = await file("s.properties", "factcast.access.secrets.plain=x\n");
    const message = await refusal({ FACTLINE_ACCESS_FILE: access, FACTLINE_SECRETS_FILE: secrets });
    expect(message).toMatch(
      /configuration error: no secret for account "hashed": add factcast\.access\.secrets\.<account>=<secret> to .*s\.properties/,
    );
  });

  it("refuses an access file without a secrets file", async () => {
    const access = await file("a2.json", JSON.stringify(ACCESS));
    expect(await refusal({ FACTLINE_ACCESS_FILE: access })).toMatch(
      /no secret for accounts "plain", "hashed".*FACTLINE_SECRETS_FILE \(not set\)/,
    );
  });

  it("refuses a malformed access file with the file, the JSON pointer and what to fix", async () => {
    const access = await file("bad.json", JSON.stringify({ accounts: [{ id: "a", roles: ["missing"] }], roles: [] }));
    const message = await refusal({ FACTLINE_ACCESS_FILE: access });
    expect(message).toMatch(/bad\.json: \/accounts\/0\/roles\/0: unknown role "missing"; define it under \/roles/);
  });

  it("refuses an access file it cannot read", async () => {
    expect(await refusal({ FACTLINE_ACCESS_FILE: join(dir, "absent.json") })).toMatch(
      /FACTLINE_ACCESS_FILE .*absent\.json cannot be read/,
    );
  });

  it("refuses a malformed secret, naming the line", async () => {
    const access = await file("a3.json", JSON.stringify(ACCESS));
    const secrets = await file(
      "bad.properties",
      "factcast.access.secrets.plain=x\nfactcast.access.secrets.hashed={bcrypt}short\n",
    );
    const message = await refusal({ FACTLINE_ACCESS_FILE: access, FACTLINE_SECRETS_FILE: secrets });
    expect(message).toMatch(/bad\.properties line 2 \(hashed\): \{bcrypt\} must be followed by a bcrypt hash/);
  });

  it("runs open on loopback without an access file, says so, and takes any credentials as the open account", async () => {
    const open = await startStoreOnFreshDatabase("open-mode");
    try {
      expect(open.store.output()).toMatch(
        /listening on 127\.0\.0\.1:\d+ \(open mode: no access file, every caller may do everything \(loopback only\)\)/,
      );
      expect((await clientsFor(open.store.url, basic("x", "y")).facts.latestSerial({})).serial).toBe(0n);
      expect((await clientsFor(open.store.url).facts.latestSerial({})).serial).toBe(0n);
    } finally {
      await open.close();
    }
  });

  it("refuses to run open on an address that is not loopback (before it listens)", async () => {
    const message = await refusal({ FACTLINE_STORE_HOST: "0.0.0.0" });
    expect(message).toMatch(
      /FACTLINE_STORE_HOST=0\.0\.0\.0 is not a loopback address.*give an access file.*or set FACTLINE_SECURITY=off/,
    );
  });

  it("refuses FACTLINE_SECURITY=off together with an access file, and secrets without one", async () => {
    const access = await file("a4.json", JSON.stringify(ACCESS));
    expect(await refusal({ FACTLINE_ACCESS_FILE: access, FACTLINE_SECURITY: "off" })).toMatch(/both set; unset one/);
    const secrets = await file("s2.properties", "factcast.access.secrets.plain=x\n");
    expect(await refusal({ FACTLINE_SECRETS_FILE: secrets })).toMatch(
      /FACTLINE_SECRETS_FILE needs FACTLINE_ACCESS_FILE/,
    );
  });
});
