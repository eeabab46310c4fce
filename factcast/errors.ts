// How a FactCast server explains a failed call, read the same way by every client here. Besides
// the gRPC status it puts the Java exception's class in the `exc-bin` trailer and its message in
// `msg-bin` (both binary metadata: base64 on the wire), so a Java client can re-throw the very
// exception; a transport failure instead carries a Node system error (ECONNREFUSED …) as cause.
import { Code, ConnectError, decodeBinaryHeader } from "@connectrpc/connect";

export interface ErrorTrailers {
  /** `exc-bin`: the fully qualified Java exception class, e.g. org.factcast.core.DuplicateFactException. */
  exception?: string;
  /** `msg-bin`: that exception's message, often more precise than the gRPC status message. */
  message?: string;
}

/** The decoded `exc-bin`/`msg-bin` trailers; a trailer that is absent or not decodable is left out. */
export function errorTrailers(err: ConnectError): ErrorTrailers {
  const trailers: ErrorTrailers = {};
  const exception = binaryTrailer(err, "exc-bin");
  const message = binaryTrailer(err, "msg-bin");
  if (exception !== undefined) trailers.exception = exception;
  if (message !== undefined) trailers.message = message;
  return trailers;
}

function binaryTrailer(err: ConnectError, key: string): string | undefined {
  const value = err.metadata.get(key);
  if (value == null) return undefined;
  try {
    return new TextDecoder().decode(decodeBinaryHeader(value));
  } catch {
    return undefined; // not base64: the status message is all there is
  }
}

/** The store's own words for a failure: `msg-bin` when present, else the gRPC status message. */
export function storeMessage(err: ConnectError): string {
  return errorTrailers(err).message ?? err.rawMessage;
}

/**
 * One line naming what failed and why: `DuplicateFactException: duplicate fact id: 1`, or the
 * status name (`INVALID_ARGUMENT: bad`) when the server sent no exception. Multi-line messages
 * (FactCast lists validation errors one per line) are joined with "; ".
 */
export function statusSummary(err: ConnectError): string {
  const { exception, message } = errorTrailers(err);
  const kind = exception ? exception.slice(exception.lastIndexOf(".") + 1) : statusName(err.code);
  return `${kind}: ${oneLine(message ?? err.rawMessage)}`;
}

/** gRPC's spelling of a status code: Code.InvalidArgument → INVALID_ARGUMENT. */
export function statusName(code: Code): string {
  return Code[code]?.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() ?? String(code);
}

/** Long messages are cut here: one failure must stay one readable line in a terminal or a log. */
const MAX_LINE = 500;

/** A message on one line ("; " between its lines), at most MAX_LINE characters. */
export function oneLine(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, "; ");
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 3)}...` : line;
}

/** How deep a cause chain is followed: connect wraps Node's error once or twice, never more. */
const MAX_CAUSE_DEPTH = 5;

/** The Node error codes (ECONNREFUSED, ERR_HTTP2_…, ERR_SSL_…) along the error's cause chain, outermost first. */
export function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  let cause = err instanceof ConnectError ? err.cause : err;
  for (let depth = 0; cause && depth < MAX_CAUSE_DEPTH; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    cause = (cause as { cause?: unknown }).cause;
  }
  return codes;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  EPROTO: "TLS handshake failed",
};

/** Why the network failed, in a few words ("connection refused"), or undefined when it did not. */
export function networkFailure(err: unknown): string | undefined {
  const code = causeCodes(err).find((c) => c in NETWORK_REASONS);
  return code && NETWORK_REASONS[code];
}

// Node's names for a server certificate the client does not trust, and for one outside its validity.
const UNTRUSTED_CERTIFICATE = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);
const CERTIFICATE_DATES = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

/**
 * What went wrong between TLS and the store at `url`, as a sentence with the fix, or undefined when
 * `err` is not about TLS. `caSetting` names where this client takes a CA file.
 * An http:// client of a TLS store sees only its stream cancelled (a TLS server closes the
 * connection on the plaintext HTTP/2 preface without a word); `firstCall` says the cancellation
 * came before the store ever answered, so it cannot be a store going away mid-call.
 */
export function tlsFailure(
  err: unknown,
  url: string,
  { caSetting = "FACTLINE_TLS_CA", firstCall = false }: { caSetting?: string; firstCall?: boolean } = {},
): string | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const codes = causeCodes(err);
  const code = codes.find((c) => UNTRUSTED_CERTIFICATE.has(c) || CERTIFICATE_DATES.has(c) || c.startsWith("ERR_"));
  const https = url.startsWith("https:");
  if (https && (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/.test(err.rawMessage))) {
    return `${url} does not speak TLS; if the store serves plaintext gRPC, use http://`;
  }
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return `the certificate of ${url} is not trusted (${err.rawMessage}); give the CA that issued it with ${caSetting}`;
  }
  if (code && CERTIFICATE_DATES.has(code)) {
    return `the certificate of ${url} is not valid now (${err.rawMessage}); the store needs a current certificate`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `the certificate of ${url} is not issued for that address (${err.rawMessage}); connect with a name the certificate lists`;
  }
  if (https && (code?.startsWith("ERR_SSL") || /SSL routines/.test(err.rawMessage))) {
    return `the TLS handshake with ${url} failed (${oneLine(err.rawMessage)})`;
  }
  // A TLS server answers an h2c preface with an alert and closes; depending on when that close
  // reaches the client, the first call sees its stream cancelled or the connection reset.
  const closedByPeer =
    (err.code === Code.Canceled && codes.length === 0 && /stream closed with error code CANCEL/.test(err.rawMessage)) ||
    codes.includes("ECONNRESET");
  if (firstCall && !https && closedByPeer) {
    return `${url} closed the connection without answering; if the store serves TLS, use https:// (and ${caSetting} for a private CA)`;
  }
  return undefined;
}

/** The server is a FactCast server without factline's admin services (or an older factline). */
export function isUnimplemented(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unimplemented;
}

/**
 * factline's stores say why a call is UNAVAILABLE in this metadata key (a gRPC trailer from the
 * store; a response header or end-of-stream metadata on the console's Connect API), so a client can
 * tell "the store's database is unavailable" — the store answers, PostgreSQL does not, and it
 * recovers by itself — from "the store is unreachable". Plain FactCast servers never send it, and
 * FactCast's clients ignore it.
 */
export const UNAVAILABLE_REASON_KEY = "factline-unavailable";
/** The value of UNAVAILABLE_REASON_KEY when the store cannot reach its PostgreSQL. */
export const DATABASE_UNAVAILABLE = "database";

/** Metadata marking an UNAVAILABLE error as "the store's database is unavailable". */
export function databaseUnavailableMetadata(): Headers {
  return new Headers({ [UNAVAILABLE_REASON_KEY]: DATABASE_UNAVAILABLE });
}

/** The store answered, but said its database is unavailable (see UNAVAILABLE_REASON_KEY). */
export function isDatabaseUnavailable(err: unknown): boolean {
  return (
    err instanceof ConnectError &&
    err.code === Code.Unavailable &&
    err.metadata.get(UNAVAILABLE_REASON_KEY) === DATABASE_UNAVAILABLE
  );
}

/**
 * Why a fact could not be had in the version asked for, as FactCast says it in `exc-bin`: "missing"
 * (MissingTransformationInformationException: no chain of transformations reaches that version)
 * or "transformation" (TransformationException: a step threw, broke a limit, or its result does not
 * fit the target schema). Undefined for any other failure.
 */
export function transformationFailure(err: unknown): "missing" | "transformation" | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const exception = errorTrailers(err).exception ?? "";
  const name = exception.slice(exception.lastIndexOf(".") + 1);
  if (name === "MissingTransformationInformationException") return "missing";
  if (name === "TransformationException") return "transformation";
  return undefined;
}
