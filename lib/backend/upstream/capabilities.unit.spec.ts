import { createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { Capabilities, CAPABILITY_TTL_MS } from "./capabilities";
import { createConsoleService } from "../rpc/console-service";
import { FakeStore } from "../testing/fake-store";
import { createUpstream } from "./upstream";

describe("admin capability", () => {
  it("is probed once per TTL, however many requests ask at once", async () => {
    const store = new FakeStore();
    let now = 0;
    const caps = new Capabilities(createUpstream({ transport: store.transport() }).query, () => now);
    const probes = () => store.calls.filter((c) => c === "admin.queryFacts").length;
    expect(await Promise.all([caps.adminAvailable(), caps.adminAvailable(), caps.adminAvailable()])).toEqual([
      true,
      true,
      true,
    ]);
    expect(probes()).toBe(1);
    now += CAPABILITY_TTL_MS - 1;
    await caps.adminAvailable();
    expect(probes()).toBe(1);
    now += 2;
    await caps.adminAvailable();
    expect(probes()).toBe(2);
  });

  it("reads a plain FactCast server's UNIMPLEMENTED as 'no admin services'", async () => {
    const caps = new Capabilities(createUpstream({ transport: new FakeStore({ admin: false }).transport() }).query);
    expect(await caps.adminAvailable()).toBe(false);
  });

  it("switches to the fallback on the spot when the store loses its admin services", async () => {
    // One address whose store is restarted with FACTLINE_ADMIN_SERVICES=off between two requests.
    const withAdmin = new FakeStore();
    const without = new FakeStore({ admin: false });
    for (const s of [withAdmin, without]) s.publish({ ns: "a", type: "T" });
    let current = withAdmin;
    const upstream = createUpstream({
      transport: {
        unary: (...args) => current.transport().unary(...args),
        stream: (...args) => current.transport().stream(...args),
      },
    });
    const client = createClient(
      ConsoleService,
      createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream }))),
    );
    expect((await client.queryFacts({})).strategy).toBe("keyset");
    current = without;
    expect((await client.queryFacts({})).strategy).toBe("catch-up");
    expect(await upstream.capabilities.adminAvailable()).toBe(false);
  });
});
