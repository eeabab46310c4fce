import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { databaseUnavailableMetadata } from "../../factcast/errors";
import { GetStoreStatusResponseSchema } from "../../gen/factline/console/v1/console_pb";
import { describeError } from "./errors";
import { storeHealth } from "./store-status";

describe("errors in words", () => {
  it("a store whose database is down is not called unreachable", () => {
    const err = new ConnectError(
      "the store's database is unavailable: the store cannot reach its database; retry shortly",
      Code.Unavailable,
      databaseUnavailableMetadata(),
    );
    expect(describeError(err)).toEqual({
      code: Code.Unavailable,
      title: "The store's database is unavailable",
      detail:
        "The store answers, but cannot reach PostgreSQL (the store cannot reach its database; retry shortly). The console retries by itself; this fills in once the database is back.",
    });
  });

  it("an UNAVAILABLE without the store's marker is the store being unreachable", () => {
    const words = describeError(new ConnectError("store unreachable: connection refused", Code.Unavailable));
    expect(words.title).toBe("The store is not reachable");
    expect(words.detail).toBe("store unreachable: connection refused The console retries by itself.");
  });
});

describe("the header's store health", () => {
  const status = (fields: Partial<{ reachable: boolean; databaseUnavailable: boolean }>) =>
    create(GetStoreStatusResponseSchema, { url: "http://127.0.0.1:9090", ...fields });

  it("tells up, unreachable and database-unavailable apart", () => {
    expect(storeHealth({ isPending: true, isError: false })).toBe("pending");
    expect(storeHealth({ isPending: false, isError: false, data: status({ reachable: true }) })).toBe("up");
    expect(storeHealth({ isPending: false, isError: false, data: status({}) })).toBe("unreachable");
    expect(storeHealth({ isPending: false, isError: false, data: status({ databaseUnavailable: true }) })).toBe(
      "database-unavailable",
    );
    // The console's own backend not answering: the browser cannot reach the store either.
    expect(storeHealth({ isPending: false, isError: true })).toBe("unreachable");
  });
});
