import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { describe, expect, it } from "vitest";
import { ConsoleService } from "../../../gen/factline/console/v1/console_pb";
import { MSG_Notification_Type, RemoteFactStore } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { createApiHandler, createConsoleApiHandler, type FetchHandler } from "./api-handler";
import { FakeStore } from "../testing/fake-store";
import { createUpstream } from "../upstream/upstream";

const ORIGIN = "http://console.test";

/** What the browser uses (connect-web), with fetch answered by the route's handler in-process. */
function browserTransport(handler: FetchHandler, useBinaryFormat: boolean) {
  return createConnectTransport({
    baseUrl: `${ORIGIN}/api`,
    useBinaryFormat,
    fetch: (input, init) => handler(new Request(input, init)),
  });
}

describe("the /api route handler", () => {
  it("serves ConsoleService with the Connect protocol, JSON and binary", async () => {
    const store = new FakeStore();
    store.publish({ ns: "users", type: "UserCreated" });
    const handler = createConsoleApiHandler({ upstream: createUpstream({ transport: store.transport() }) });
    for (const binary of [false, true]) {
      const client = createClient(ConsoleService, browserTransport(handler, binary));
      const res = await client.queryFacts({ limit: 10 });
      expect(res.facts.map((f) => f.ns)).toEqual(["users"]);
    }
  });

  it("answers a plain JSON POST the way curl or a script would send it", async () => {
    const store = new FakeStore();
    store.publish({ ns: "users", type: "UserCreated" });
    const handler = createConsoleApiHandler({ upstream: createUpstream({ transport: store.transport() }) });
    const res = await handler(
      new Request(`${ORIGIN}/api/factline.console.v1.ConsoleService/GetFact`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ serial: "1" }),
      }),
    );
    expect(res.status).toBe(200);
    expect((await res.json()).fact.ns).toBe("users");
    const missing = await handler(
      new Request(`${ORIGIN}/api/factline.console.v1.ConsoleService/GetFact`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"serial":"9"}',
      }),
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("no fact with serial 9"),
    });
  });

  it("answers unknown paths with Connect's 'unimplemented'", async () => {
    const res = await createConsoleApiHandler()(new Request(`${ORIGIN}/api/nope.Service/Call`, { method: "POST" }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "unimplemented" });
  });

  it("streams server-streaming responses frame by frame, without buffering", async () => {
    // The second frame is only produced after the client has seen the first: a buffering handler
    // would wait forever (and the test time out).
    let firstSeen!: () => void;
    const seen = new Promise<void>((resolve) => (firstSeen = resolve));
    const handler = createApiHandler((router) =>
      router.service(RemoteFactStore, {
        async *subscribe() {
          yield { type: MSG_Notification_Type.Catchup };
          await seen;
          yield { type: MSG_Notification_Type.Complete };
        },
      }),
    );
    const client = createClient(RemoteFactStore, browserTransport(handler, false));
    const types: MSG_Notification_Type[] = [];
    for await (const note of client.subscribe({ json: "{}" })) {
      types.push(note.type);
      firstSeen();
    }
    expect(types).toEqual([MSG_Notification_Type.Catchup, MSG_Notification_Type.Complete]);
  });

  it("asks proxies not to buffer streams", async () => {
    const handler = createApiHandler((router) =>
      router.service(RemoteFactStore, {
        async *subscribe() {
          yield { type: MSG_Notification_Type.Complete };
        },
      }),
    );
    const res = await handler(
      new Request(`${ORIGIN}/api/org.factcast.grpc.api.gen.RemoteFactStore/subscribe`, {
        method: "POST",
        headers: { "content-type": "application/connect+json" },
        body: envelope(JSON.stringify({ json: "{}" })),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(res.headers.get("cache-control")).toContain("no-transform");
  });
});

/** One Connect streaming envelope: flags byte, big-endian length, message. */
function envelope(message: string): Uint8Array<ArrayBuffer> {
  const data = new TextEncoder().encode(message);
  const out = new Uint8Array(new ArrayBuffer(5 + data.length));
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}
