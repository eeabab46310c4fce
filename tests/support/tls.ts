// Certificates for TLS tests, made fresh by `openssl` in a temporary directory on every run rather
// than committed: no private key lives in the repository, nothing expires under a test years from
// now, and the bad variants (another CA, a key of another certificate, an expired or encrypted
// one) come from the same few commands. factcast/testdata keeps its fixed pair only for the
// client's unit test, which must run without openssl.
import { execFile } from "node:child_process";
import { appendFile, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestPki {
  dir: string;
  /** The test CA's certificate: what clients are given as FACTLINE_TLS_CA. */
  caFile: string;
  /** A server certificate for 127.0.0.1 and localhost issued by the CA, and its key. */
  certFile: string;
  keyFile: string;
  /** certFile followed by the CA's certificate: the chain a server usually serves. */
  chainFile: string;
  /** A second CA and a certificate it issued for 127.0.0.1: trusted by nobody here. */
  otherCaFile: string;
  otherCertFile: string;
  otherKeyFile: string;
  /** Issued by the CA for 127.0.0.1, expired yesterday; with its key. */
  expiredCertFile: string;
  expiredKeyFile: string;
  /** keyFile's key, encrypted with a passphrase. */
  encryptedKeyFile: string;
  /** The CA's certificate as PEM text, for clients that take the PEM itself. */
  caPem(): Promise<string>;
  close(): Promise<void>;
}

// Past the store's 14-day expiry warning (store/grpc/tls.ts), so test logs stay quiet; the files
// live only as long as the test's temporary directory.
const DAYS = "20";

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), "factline-pki-"));
  const at = (name: string) => join(dir, name);
  const ext = at("server.ext");
  await writeFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  try {
    await ca("ca", "factline test CA");
    await ca("other-ca", "another CA");
    await server("server", "ca", DAYS);
    await server("other", "other-ca", DAYS);
    // openssl 3.0 has no -not_after; negative days put the end before the start (now).
    await server("expired", "ca", "-1");
    await run("openssl", [
      "pkey",
      "-in",
      at("server.key"),
      "-aes256",
      "-passout",
      "pass:secret",
      "-out",
      at("encrypted.key"),
    ]);
    await copyFile(at("server.pem"), at("chain.pem"));
    await appendFile(at("chain.pem"), await readFile(at("ca.pem")));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot make test certificates with openssl: ${(err as Error).message}`, { cause: err });
  }
  return {
    dir,
    caFile: at("ca.pem"),
    certFile: at("server.pem"),
    keyFile: at("server.key"),
    chainFile: at("chain.pem"),
    otherCaFile: at("other-ca.pem"),
    otherCertFile: at("other.pem"),
    otherKeyFile: at("other.key"),
    expiredCertFile: at("expired.pem"),
    expiredKeyFile: at("expired.key"),
    encryptedKeyFile: at("encrypted.key"),
    caPem: () => readFile(at("ca.pem"), "utf8"),
    close: () => rm(dir, { recursive: true, force: true }),
  };

  async function ca(name: string, cn: string): Promise<void> {
    await run("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", at(`${name}.key`), "-out", at(`${name}.pem`), "-days", DAYS, "-subj", `/CN=${cn}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
  }

  async function server(name: string, issuer: string, days: string): Promise<void> {
    await run("openssl", [
      ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", at(`${name}.key`), "-out", at(`${name}.csr`), "-subj", "/CN=localhost"],
    ]);
    await run("openssl", [
      ...["x509", "-req", "-in", at(`${name}.csr`), "-CA", at(`${issuer}.pem`), "-CAkey", at(`${issuer}.key`)],
      ...["-CAcreateserial", "-out", at(`${name}.pem`), "-days", days, "-extfile", ext],
    ]);
  }
}
