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
