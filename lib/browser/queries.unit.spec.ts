import { createQueryOptions } from "@connectrpc/connect-query-core";
import { hashKey } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import {
  catalogQuery,
  consoleQueryKey,
  factQuery,
  recentFactsQuery,
  storeStatusQuery,
  type ConsoleQuery,
} from "./queries";
import { createConsoleTransport } from "./transport";

/** The key connect-query's useQuery files a query under in the browser (what the hooks call). */
function browserKey(q: ConsoleQuery) {
  return createQueryOptions(q.method, q.input, { transport: createConsoleTransport() }).queryKey;
}

describe("console query keys", () => {
  const queries = [
    storeStatusQuery(),
    catalogQuery(),
    catalogQuery("users"),
    recentFactsQuery("users"),
    factQuery({ serial: 42n }),
    factQuery({ id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301" }),
  ];

  it("are the keys the browser's hooks use, so a server-filled cache entry is found", () => {
    for (const q of queries) expect(hashKey(consoleQueryKey(q))).toBe(hashKey(browserKey(q)));
  });

  it("do not depend on which transport object made them (server and browser have their own)", () => {
    const a = createQueryOptions(catalogQuery().method, catalogQuery().input, {
      transport: createConsoleTransport(),
    }).queryKey;
    const b = createQueryOptions(catalogQuery().method, catalogQuery().input, {
      transport: createConsoleTransport(),
    }).queryKey;
    expect(hashKey(a)).toBe(hashKey(b));
    expect(JSON.stringify(a)).toContain('"transport":"console-api"');
  });

  it("tell different pages' queries apart", () => {
    expect(new Set(queries.map((q) => hashKey(consoleQueryKey(q)))).size).toBe(queries.length);
  });
});
