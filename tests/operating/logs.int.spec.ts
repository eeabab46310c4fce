// The store's log under FACTLINE_LOG=debug: JSON lines on stderr (the start line alone on stdout),
// each call's lines carrying its request id, client id and account, refusals at warn — and no
// password, token, authorization header or payload anywhere in it, whatever the calls sent.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { catchUp } from "../support/client.js";
import { fact, factsMsg } from "../support/facts.js";
import { basic, startSecuredStore, type SecuredStore } from "../security/support.js";

const PASSWORD = "pw-MARKER-5e1f9c";
const WRONG_PASSWORD = "wrong-MARKER-77aa10";
const TOKEN = "tok-MARKER-0b3d.eyJzdWIiOiJ4In0.sig";
const PAYLOAD = "payload-MARKER-c41d2e";
const ACCESS = {
  accounts: [{ id: "writer", roles: ["shop"] }],
  roles: [{ id: "shop", read: { include: ["shop"] }, write: { include: ["shop"] } }],
};

let fx: SecuredStore;
beforeAll(async () => {
  fx = await startSecuredStore({
    access: ACCESS,
    secrets: `factcast.access.secrets.writer=${PASSWORD}\n`,
    env: { FACTLINE_LOG: "debug" },
    label: "logs",
  });
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

function client(authorization: string, clientId: string) {
  const headers: Interceptor = (next) => (req) => {
    req.header.set("authorization", authorization);
    req.header.set("fc-id", clientId);
    return next(req);
  };
  return createClient(RemoteFactStore, createGrpcTransport({ baseUrl: fx.store.url, interceptors: [headers] }));
}

interface Line {
  level: string;
  time: string;
  msg: string;
  req?: string;
  client?: string;
  account?: string;
  rpc?: string;
  code?: string;
  [field: string]: unknown;
}

describe("the store's log", () => {
  it("is JSON on stderr, names each call, and never holds a secret or a payload", async () => {
    const writer = client(basic("writer", PASSWORD), "orders-app");
    await writer.publish(factsMsg([fact({ ns: "shop", type: "OrderPlaced", payload: { note: PAYLOAD } })]));
    const read = await catchUp(writer, { specs: [{ ns: "shop" }], continuous: false });
    expect(JSON.stringify(read.facts())).toContain(PAYLOAD);
    await expect(writer.publish(factsMsg([fact({ ns: "hr", payload: { note: PAYLOAD } })]))).rejects.toThrow(
      /may not write namespace "hr"/,
    );
    await expect(client(basic("writer", WRONG_PASSWORD), "intruder").latestSerial({})).rejects.toThrow(
      /wrong user or password/,
    );
    await expect(client(`Bearer ${TOKEN}`, "token-app").latestSerial({})).rejects.toThrow(/not accepted/);
    await fetch(`${fx.store.httpUrl}/health/ready`, { headers: { authorization: basic("writer", WRONG_PASSWORD) } });
    // Lines of calls are written when the calls end; the last one ended before its answer arrived.
    await new Promise((r) => setTimeout(r, 200));

    const raw = fx.store.rawStderr();
    for (const secret of [PASSWORD, WRONG_PASSWORD, TOKEN, "tok-MARKER", PAYLOAD, basic("writer", PASSWORD)]) {
      expect(raw, `the log holds ${secret}`).not.toContain(secret);
    }
    // No header field logged (messages may name the header: "authorization scheme … is not accepted").
    expect(raw).not.toMatch(/"authorization"\s*:/i);
    expect(raw).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(raw).not.toContain("factline store listening on");
    expect(fx.store.output()).toContain("factline store listening on");

    const lines = raw
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Line);
    for (const line of lines) {
      expect(["debug", "info", "warn", "error"]).toContain(line.level);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(typeof line.msg).toBe("string");
    }
    const calls = lines.filter((l) => l.rpc !== undefined);
    const publish = calls.find((l) => l.rpc?.endsWith("/publish") && l.code === "OK");
    expect(publish).toMatchObject({ level: "debug", msg: "call", client: "orders-app", account: "writer" });
    expect(publish?.req).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    expect(new Set(calls.map((l) => l.req)).size).toBe(calls.length);

    const denied = calls.find((l) => l.code === "PERMISSION_DENIED");
    expect(denied).toMatchObject({ level: "warn", msg: "call refused", account: "writer", client: "orders-app" });
    expect(denied?.error).toMatch(/may not write namespace "hr"/);
    const unauthenticated = calls.filter((l) => l.code === "UNAUTHENTICATED");
    expect(unauthenticated.map((l) => l.client).sort()).toEqual(["intruder", "token-app"]);
    for (const line of unauthenticated) expect(line).toMatchObject({ level: "warn", msg: "call refused" });
    expect(unauthenticated.every((l) => l.account === undefined)).toBe(true);
  });

  it("takes a client's own request id when it is a plain token, and ignores one that is not", async () => {
    const named =
      (id: string): Interceptor =>
      (next) =>
      (req) => {
        req.header.set("authorization", basic("writer", PASSWORD));
        req.header.set("x-request-id", id);
        return next(req);
      };
    const ids = ["console-42:abc", 'evil" {"level":"error"}', "x".repeat(65)];
    for (const id of ids) {
      const c = createClient(
        RemoteFactStore,
        createGrpcTransport({ baseUrl: fx.store.url, interceptors: [named(id)] }),
      );
      await c.latestSerial({});
    }
    await new Promise((r) => setTimeout(r, 200));
    const reqs = fx.store
      .rawStderr()
      .split("\n")
      .filter((l) => l.includes("latestSerial"))
      .map((l) => (JSON.parse(l) as Line).req);
    expect(reqs).toContain("console-42:abc");
    expect(reqs.filter((r) => r === ids[1] || r === ids[2])).toEqual([]);
  });
});
