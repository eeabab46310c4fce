import { Code, ConnectError, encodeBinaryHeader } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  causeCodes,
  errorTrailers,
  isUnimplemented,
  networkFailure,
  oneLine,
  statusSummary,
  storeMessage,
  tlsFailure,
  transformationFailure,
} from "./errors";

const withTrailers = (trailers: Record<string, string>, message = "status message", code = Code.Unknown) =>
  new ConnectError(message, code, new Headers(trailers));

describe("error trailers", () => {
  it("decode FactCast's exc-bin and msg-bin, UTF-8 included", () => {
    const err = withTrailers({
      "exc-bin": encodeBinaryHeader("org.factcast.core.DuplicateFactException"),
      "msg-bin": encodeBinaryHeader("doppelte Fakt-ID: ü"),
    });
    expect(errorTrailers(err)).toEqual({
      exception: "org.factcast.core.DuplicateFactException",
      message: "doppelte Fakt-ID: ü",
    });
    expect(storeMessage(err)).toBe("doppelte Fakt-ID: ü");
    expect(statusSummary(err)).toBe("DuplicateFactException: doppelte Fakt-ID: ü");
  });

  it("fall back to the status when the trailers are absent or not base64", () => {
    expect(errorTrailers(new ConnectError("x"))).toEqual({});
    const garbled = withTrailers({ "msg-bin": "%%%not base64%%%" }, "bad", Code.InvalidArgument);
    expect(errorTrailers(garbled)).toEqual({});
    expect(storeMessage(garbled)).toBe("bad");
    expect(statusSummary(garbled)).toBe("INVALID_ARGUMENT: bad");
  });

  it("put multi-line messages on one bounded line", () => {
    expect(oneLine("  first\n  second \n third ")).toBe("first; second; third");
    const long = oneLine("x".repeat(2_000));
    expect(long).toHaveLength(500);
    expect(long.endsWith("...")).toBe(true);
  });
});

describe("transformation failures", () => {
  const failure = (exception: string) =>
    withTrailers({ "exc-bin": encodeBinaryHeader(exception), "msg-bin": encodeBinaryHeader("why") });

  it("tell a missing chain from a failing step by FactCast's exception class", () => {
    expect(
      transformationFailure(failure("org.factcast.core.subscription.MissingTransformationInformationException")),
    ).toBe("missing");
    expect(transformationFailure(failure("org.factcast.core.subscription.TransformationException"))).toBe(
      "transformation",
    );
  });

  it("are nothing else: other exceptions, bare statuses, plain errors", () => {
    expect(transformationFailure(failure("org.factcast.core.DuplicateFactException"))).toBeUndefined();
    expect(transformationFailure(failure("com.example.NotATransformationException"))).toBeUndefined();
    expect(transformationFailure(new ConnectError("TransformationException", Code.Unknown))).toBeUndefined();
    expect(transformationFailure(new Error("TransformationException"))).toBeUndefined();
  });
});

describe("network failures", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

  it("are found along the cause chain", () => {
    const err = new ConnectError("down", Code.Unavailable, undefined, undefined, refused());
    expect(causeCodes(err)).toEqual(["ECONNREFUSED"]);
    expect(networkFailure(err)).toBe("connection refused");
    const wrapped = Object.assign(new Error("h2"), { code: "ERR_HTTP2_ERROR", cause: refused() });
    expect(causeCodes(new ConnectError("x", Code.Unavailable, undefined, undefined, wrapped))).toEqual([
      "ERR_HTTP2_ERROR",
      "ECONNREFUSED",
    ]);
    expect(networkFailure(refused())).toBe("connection refused");
  });

  it("are not claimed for statuses the store chose", () => {
    expect(networkFailure(new ConnectError("no", Code.InvalidArgument))).toBeUndefined();
    expect(causeCodes("just a string")).toEqual([]);
    expect(isUnimplemented(new ConnectError("no", Code.Unimplemented))).toBe(true);
    expect(isUnimplemented(new Error("no"))).toBe(false);
  });
});

describe("TLS failures", () => {
  // What connect-node reports for each, as seen against a real TLS store in tests/security/tls.int.spec.ts.
  const failed = (message: string, code: Code, cause?: string) =>
    new ConnectError(
      message,
      code,
      undefined,
      undefined,
      cause ? Object.assign(new Error(message), { code: cause }) : undefined,
    );

  it("say which scheme to use when client and store disagree", () => {
    const plaintextStore = failed(
      "ssl3_get_record:wrong version number",
      Code.Internal,
      "ERR_SSL_WRONG_VERSION_NUMBER",
    );
    expect(tlsFailure(plaintextStore, "https://h:9090")).toBe(
      "https://h:9090 does not speak TLS; if the store serves plaintext gRPC, use http://",
    );
    const tlsStore = failed("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled);
    expect(tlsFailure(tlsStore, "http://h:9443", { firstCall: true, caSetting: "--ca" })).toBe(
      "http://h:9443 closed the connection without answering; if the store serves TLS, use https:// (and --ca for a private CA)",
    );
    // Or, when the server's close arrives before the stream is open, the connection was reset.
    const reset = failed("read ECONNRESET", Code.Aborted, "ECONNRESET");
    expect(tlsFailure(reset, "http://h:9443", { firstCall: true, caSetting: "--ca" })).toBe(
      "http://h:9443 closed the connection without answering; if the store serves TLS, use https:// (and --ca for a private CA)",
    );
    // Later in a session the same cancellation or reset is a store going away, not a scheme mismatch.
    expect(tlsFailure(tlsStore, "http://h:9443")).toBeUndefined();
    expect(tlsFailure(reset, "http://h:9443")).toBeUndefined();
  });

  it("name the CA setting for an untrusted certificate, and say what else is wrong with one", () => {
    const untrusted = failed(
      "unable to verify the first certificate",
      Code.Internal,
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    );
    expect(tlsFailure(untrusted, "https://h:9443")).toBe(
      "the certificate of https://h:9443 is not trusted (unable to verify the first certificate); give the CA that issued it with FACTLINE_TLS_CA",
    );
    expect(tlsFailure(failed("certificate has expired", Code.Internal, "CERT_HAS_EXPIRED"), "https://h:1")).toMatch(
      /is not valid now \(certificate has expired\); the store needs a current certificate/,
    );
    const otherName = failed(
      "Hostname/IP does not match certificate's altnames",
      Code.Internal,
      "ERR_TLS_CERT_ALTNAME_INVALID",
    );
    expect(tlsFailure(otherName, "https://10.0.0.1:1")).toMatch(/is not issued for that address/);
  });

  it("leave every other failure alone", () => {
    expect(tlsFailure(failed("connect ECONNREFUSED", Code.Unavailable, "ECONNREFUSED"), "https://h:1")).toBeUndefined();
    expect(tlsFailure(new ConnectError("no", Code.PermissionDenied), "https://h:1")).toBeUndefined();
    expect(tlsFailure(new Error("x"), "https://h:1")).toBeUndefined();
  });
});
