// The store over TLS (FACTLINE_TLS_CERT/KEY), end to end: what it refuses to start with, h2 by
// ALPN, the shared client and the CLI with a private CA (--ca, FACTLINE_TLS_CA), and the errors a
// user gets for the wrong scheme or an untrusted certificate. Certificates are made fresh by
// tests/support/tls.ts.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect } from "node:tls";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { ConsoleService } from "../../gen/factline/console/v1/console_pb.js";
import { createConsoleService } from "../../lib/backend/rpc/console-service.js";
import { createUpstream } from "../../lib/backend/upstream/upstream.js";
import { runCli } from "../cli/run-cli.js";
import { startStore, startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import { createTestPki, type TestPki } from "../support/tls.js";
import { basic, startSecuredStore, type SecuredStore } from "./support.js";

// Tests that start several CLI or store processes: each takes seconds on a loaded two-core machine.
const SPAWNS_TIMEOUT_MS = 150_000;

const ACCESS = {
  accounts: [{ id: "ops", roles: ["all"] }],
  roles: [{ id: "all", read: { include: ["*"] }, write: { include: ["*"] } }],
};

let pki: TestPki;
let caPem: string;
let tls: SecuredStore;
let plain: StoreFixture;
beforeAll(async () => {
  pki = await createTestPki();
  caPem = await pki.caPem();
  [tls, plain] = await Promise.all([
    startSecuredStore({
      access: ACCESS,
      secrets: "factcast.access.secrets.ops=ops-pw\n",
      // A chain, as servers usually have: the certificate, then its issuer's.
      env: { FACTLINE_TLS_CERT: pki.chainFile, FACTLINE_TLS_KEY: pki.keyFile },
      clientCa: caPem,
      label: "tls",
    }),
    startStoreOnFreshDatabase("tls-plain"),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([tls?.close(), plain?.close()]);
  await pki?.close();
}, 30_000);

describe("a store with FACTLINE_TLS_CERT and FACTLINE_TLS_KEY", () => {
  it("says TLS in its start line, and the launcher hands out an https:// URL", () => {
    expect(tls.store.readyLine).toMatch(/^factline store listening on 127\.0\.0\.1:\d+ over TLS \(access file /);
    expect(tls.store.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const served = tls.store
      .rawStderr()
      .split("\n")
      .filter((line) => line.includes('"msg":"serving gRPC over TLS"'))
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(served).toEqual([
      expect.objectContaining({ subject: "CN=localhost", names: "IP Address:127.0.0.1, DNS:localhost" }),
    ]);
    expect(plain.store.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("negotiates h2 by ALPN and turns away a client that offers only HTTP/1.1", async () => {
    const port = tls.store.port;
    const negotiated = (protocols: string[]) =>
      new Promise<string | false | Error>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port, ca: caPem, ALPNProtocols: protocols });
        socket.once("secureConnect", () => {
          resolve(socket.alpnProtocol ?? false);
          socket.destroy();
        });
        socket.once("error", (err) => resolve(err));
      });
    expect(await negotiated(["h2", "http/1.1"])).toBe("h2");
    const refused = await negotiated(["http/1.1"]);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/no application protocol/i);
  });

  it("serves the shared client with the test CA: handshake, publish and fetch as an account", async () => {
    const client = createStoreClient({ url: tls.store.url, ca: pki.caFile, user: "ops", password: "ops-pw" });
    try {
      expect((await client.facts.handshake({})).version?.major).toBe(1);
      expect((await client.facts.latestSerial({})).serial).toBe(0n);
    } finally {
      client.close();
    }
    const { facts } = tls.as(basic("ops", "ops-pw"));
    expect((await facts.currentTime({})).millis).toBeGreaterThan(0n);
  });

  it(
    "serves the CLI with --ca or FACTLINE_TLS_CA",
    async () => {
      const user = ["--user", "ops", "--password", "ops-pw"];
      const withFlag = await runCli(tls.store.url, ["--ca", pki.caFile, ...user, "info", "--json"]);
      expect(withFlag.stderr).toBe("");
      expect(withFlag.code).toBe(0);
      expect(JSON.parse(withFlag.stdout)).toMatchObject({ store: tls.store.url });
      const withEnv = await runCli(tls.store.url, [...user, "namespaces"], { env: { FACTLINE_TLS_CA: pki.caFile } });
      expect(withEnv).toMatchObject({ code: 0, stderr: "" });
    },
    SPAWNS_TIMEOUT_MS,
  );
});

describe("the console backend against the TLS store", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  // The console's environment, as `npm run console` would give it.
  async function status(env: Record<string, string>) {
    vi.stubEnv("FACTLINE_STORE_URL", tls.store.url);
    vi.stubEnv("FACTLINE_STORE_USER", "ops");
    vi.stubEnv("FACTLINE_STORE_PASSWORD", "ops-pw");
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const upstream = createUpstream();
    try {
      const routes = createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream })));
      return await createClient(ConsoleService, routes).getStoreStatus({});
    } finally {
      upstream.close();
    }
  }

  it("connects with https:// and FACTLINE_TLS_CA", async () => {
    expect(await status({ FACTLINE_TLS_CA: pki.caFile })).toMatchObject({ reachable: true, url: tls.store.url });
  });

  it("says what to set when the CA is missing", async () => {
    const answer = await status({ FACTLINE_TLS_CA: "" });
    expect(answer.reachable).toBe(false);
    expect(answer.error).toMatch(
      /the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(.*\); give the CA that issued it with FACTLINE_TLS_CA/,
    );
  });
});

describe("what the CLI says when TLS does not fit", () => {
  it.each([
    ["no CA for a private certificate", false],
    ["the CA of another certificate", true],
  ])("%s: the certificate is not trusted (exit 3)", async (_, other) => {
    const result = await runCli(tls.store.url, [...(other ? ["--ca", pki.otherCaFile] : []), "info"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        `^factline: the certificate of ${tls.store.url} is not trusted \\((self-signed certificate in certificate chain|unable to verify the first certificate)\\); give the CA that issued it with --ca or FACTLINE_TLS_CA\n$`,
      ),
    );
  });

  it("http:// against a TLS store: use https:// (exit 3)", async () => {
    const result = await runCli(tls.store.url.replace("https:", "http:"), ["info"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /closed the connection without answering; if the store serves TLS, use https:\/\/ \(and --ca or FACTLINE_TLS_CA for a private CA\)\n$/,
    );
  });

  it("https:// against a plaintext store: use http:// (exit 3)", async () => {
    const url = plain.store.url.replace("http:", "https:");
    const result = await runCli(url, ["--ca", pki.caFile, "info"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `factline: ${url} does not speak TLS; if the store serves plaintext gRPC, use http://\n`,
    );
  });

  it(
    "a CA file that is missing, not PEM, or given for http:// is a usage error (exit 1)",
    async () => {
      const missing = await runCli(tls.store.url, ["--ca", join(pki.dir, "absent.pem"), "info"]);
      expect(missing).toMatchObject({ code: 1 });
      expect(missing.stderr).toMatch(/cannot read the CA certificate file .*absent\.pem \(ENOENT\)/);
      const notPem = await runCli(tls.store.url, ["--ca", pki.keyFile, "info"]);
      expect(notPem).toMatchObject({ code: 1 });
      expect(notPem.stderr).toMatch(/holds no PEM certificate/);
      const plaintext = await runCli(plain.store.url, ["--ca", pki.caFile, "info"]);
      expect(plaintext).toMatchObject({ code: 1 });
      expect(plaintext.stderr).toMatch(/is for https:\/\/ stores; http:\/\/127\.0\.0\.1:\d+ is plaintext/);
    },
    SPAWNS_TIMEOUT_MS,
  );

  it("no warning about plaintext credentials on loopback", async () => {
    const result = await runCli(plain.store.url, ["--user", "x", "--password", "y", "info"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("start-up refuses TLS files it cannot serve with, naming the file and the fix", () => {
  // Refusals come before the database is touched.
  const NO_DATABASE = "postgres://factline:unused@127.0.0.1:1/unused";
  async function refusal(env: Record<string, string>): Promise<string> {
    return startStore({ databaseUrl: NO_DATABASE, env }).then(
      async (s) => {
        await s.stop();
        throw new Error(`the store started: ${s.output()}`);
      },
      (err: Error) => err.message,
    );
  }
  const files = (cert: string, key: string) => ({ FACTLINE_TLS_CERT: cert, FACTLINE_TLS_KEY: key });

  it(
    "a certificate or key file that does not exist",
    async () => {
      const absent = join(pki.dir, "absent.pem");
      expect(await refusal(files(absent, pki.keyFile))).toMatch(
        /configuration error: FACTLINE_TLS_CERT .*absent\.pem cannot be read \(ENOENT\); it must name the store's certificate \(PEM\)/,
      );
      expect(await refusal(files(pki.certFile, absent))).toMatch(
        /FACTLINE_TLS_KEY .*absent\.pem cannot be read \(ENOENT\); it must name the certificate's private key \(PEM\)/,
      );
    },
    SPAWNS_TIMEOUT_MS,
  );

  it("only one of the two", async () => {
    expect(await refusal({ FACTLINE_TLS_CERT: pki.certFile })).toMatch(
      /TLS needs both FACTLINE_TLS_CERT and FACTLINE_TLS_KEY \(PEM files\); only FACTLINE_TLS_CERT is set/,
    );
  });

  it(
    "files that are not PEM, or swapped",
    async () => {
      const junk = join(pki.dir, "junk.pem");
      await writeFile(junk, "hello\n");
      const der = join(pki.dir, "cert.der");
      await writeFile(der, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x01]));
      expect(await refusal(files(junk, pki.keyFile))).toMatch(
        /FACTLINE_TLS_CERT .*junk\.pem holds no PEM certificate \(-----BEGIN CERTIFICATE-----\); give the certificate in PEM form/,
      );
      expect(await refusal(files(der, pki.keyFile))).toMatch(
        /cert\.der .*looks like DER: convert it with `openssl x509/,
      );
      expect(await refusal(files(pki.keyFile, pki.certFile))).toMatch(
        /FACTLINE_TLS_CERT .*server\.key holds no PEM certificate .*holds a private key: are FACTLINE_TLS_CERT and FACTLINE_TLS_KEY swapped\?/,
      );
      expect(await refusal(files(pki.certFile, junk))).toMatch(
        /FACTLINE_TLS_KEY .*junk\.pem holds no PEM private key \(-----BEGIN PRIVATE KEY-----\); give the private key in PEM form/,
      );
    },
    SPAWNS_TIMEOUT_MS,
  );

  it("a key that is not the certificate's", async () => {
    expect(await refusal(files(pki.certFile, pki.otherKeyFile))).toMatch(
      /FACTLINE_TLS_KEY .*other\.key is not the private key of the certificate in FACTLINE_TLS_CERT .*server\.pem \(CN=localhost\); give the key the certificate was issued for/,
    );
  });

  it("an encrypted key", async () => {
    expect(await refusal(files(pki.certFile, pki.encryptedKeyFile))).toMatch(
      /FACTLINE_TLS_KEY .*encrypted\.key is encrypted, and the store cannot ask for a passphrase: store it unencrypted with `openssl pkey/,
    );
  });

  it("an expired certificate", async () => {
    expect(await refusal(files(pki.expiredCertFile, pki.expiredKeyFile))).toMatch(
      /FACTLINE_TLS_CERT .*expired\.pem expired on \d{4}-\d\d-\d\dT[\d:.]+Z; every client would refuse it: renew the certificate/,
    );
  });
});
