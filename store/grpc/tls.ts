// FACTLINE_TLS_CERT / FACTLINE_TLS_KEY, checked before the store listens: a certificate or key the
// store cannot serve with would otherwise show only as every client's failed handshake. Each
// refusal names the file and what to do about it (README "Security", TLS).
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { ConfigError } from "../config";
import { log } from "../log";

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  /** For the log: whom the certificate names and until when. */
  subject: string;
  names: string;
  validTo: string;
}

// A certificate this close to its end gets a warning at every start, early enough to renew it.
const EXPIRY_WARNING_MS = 14 * 24 * 3_600_000;

export async function loadTlsCredentials(files: { certFile: string; keyFile: string }): Promise<TlsCredentials> {
  const { certFile, keyFile } = files;
  const cert = await read("FACTLINE_TLS_CERT", certFile, "the store's certificate (PEM)");
  const key = await read("FACTLINE_TLS_KEY", keyFile, "the certificate's private key (PEM)");
  const certText = cert.toString("latin1");
  if (!certText.includes("-----BEGIN CERTIFICATE-----")) {
    const hint = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certText)
      ? "it holds a private key: are FACTLINE_TLS_CERT and FACTLINE_TLS_KEY swapped?"
      : isDer(cert)
        ? "it looks like DER: convert it with `openssl x509 -inform der -in <file> -out cert.pem`"
        : "give the certificate in PEM form";
    throw new ConfigError(
      `FACTLINE_TLS_CERT ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----); ${hint}`,
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(`FACTLINE_TLS_CERT ${certFile} holds a certificate that cannot be read (${reason(err)})`);
  }
  const privateKey = parseKey(key, keyFile);
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `FACTLINE_TLS_KEY ${keyFile} is not the private key of the certificate in FACTLINE_TLS_CERT ${certFile} ` +
        `(${oneLine(x509.subject)}); give the key the certificate was issued for`,
    );
  }
  const now = Date.now();
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() < now) {
    throw new ConfigError(
      `FACTLINE_TLS_CERT ${certFile} expired on ${validTo.toISOString()}; every client would refuse it: renew the certificate`,
    );
  }
  if (new Date(x509.validFrom).getTime() > now) {
    log.warn("the TLS certificate is not valid yet: clients refuse it until then (or this machine's clock is behind)", {
      certFile,
      validFrom: new Date(x509.validFrom).toISOString(),
    });
  } else if (validTo.getTime() - now < EXPIRY_WARNING_MS) {
    log.warn("the TLS certificate expires soon: renew it", { certFile, validTo: validTo.toISOString() });
  }
  try {
    // What the server will do with them; catches what the checks above do not (e.g. a key too weak for OpenSSL's policy).
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(
      `FACTLINE_TLS_CERT ${certFile} with FACTLINE_TLS_KEY ${keyFile} cannot serve TLS (${reason(err)})`,
    );
  }
  return {
    cert,
    key,
    subject: oneLine(x509.subject),
    names: x509.subjectAltName ?? "no subjectAltName",
    validTo: validTo.toISOString(),
  };
}

async function read(variable: string, file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? reason(err);
    throw new ConfigError(`${variable} ${file} cannot be read (${code}); it must name ${what}`);
  }
}

function parseKey(key: Buffer, keyFile: string): KeyObject {
  const text = key.toString("latin1");
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new ConfigError(
      `FACTLINE_TLS_KEY ${keyFile} is encrypted, and the store cannot ask for a passphrase: ` +
        "store it unencrypted with `openssl pkey -in <file> -out key.pem` and protect the file instead",
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    const hint = text.includes("-----BEGIN CERTIFICATE-----")
      ? "it holds a certificate: are FACTLINE_TLS_CERT and FACTLINE_TLS_KEY swapped?"
      : "give the private key in PEM form";
    throw new ConfigError(
      `FACTLINE_TLS_KEY ${keyFile} holds no PEM private key (-----BEGIN PRIVATE KEY-----); ${hint}`,
    );
  }
  try {
    return createPrivateKey(key);
  } catch (err) {
    throw new ConfigError(`FACTLINE_TLS_KEY ${keyFile} holds a private key that cannot be read (${reason(err)})`);
  }
}

/** DER certificates start with an ASN.1 SEQUENCE tag and a long-form length. */
function isDer(bytes: Buffer): boolean {
  return bytes.length > 2 && bytes[0] === 0x30 && (bytes[1] & 0x80) !== 0;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(subject: string): string {
  return subject.split("\n").filter(Boolean).join(", ");
}
