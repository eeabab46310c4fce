// The front door's limits on a real HTTP/2 server on loopback (no database): each limit with small
// values, what a caller sees past it, and that what a refused call held is given back.
import http2 from "node:http2";
import net from "node:net";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { InstanceService } from "../../gen/factline/admin/v1/admin_pb";
import { OPEN_AUTHENTICATOR } from "../auth/authenticate";
import type { FrontDoorLimits } from "./limits";
import { startGrpcServer, type GrpcServer } from "./server";

const PATH = "/factline.admin.v1.InstanceService/GetInstanceStats";
const KiB = 1024;

let server: GrpcServer | undefined;
const clients: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.close();
  server = undefined;
});

/** A server whose one method answers after `handlerMs`, with the given limits. */
async function start(limits: Partial<FrontDoorLimits>, handlerMs = 0): Promise<GrpcServer> {
  server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    authenticator: OPEN_AUTHENTICATOR,
    limits,
    routes: (routes) =>
      routes.service(InstanceService, {
        async getInstanceStats() {
          await new Promise((r) => setTimeout(r, handlerMs));
          return { activeSubscriptions: 1, version: "test" };
        },
      }),
  });
  return server;
}

function connect(): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${server!.port}`);
  session.on("error", () => {});
  clients.push(session);
  return session;
}

interface Outcome {
  code: number;
  message: string;
}

/**
 * Opens a call and sends `body`; `end` false leaves the request open (a stalled body). Resolves with
 * the status the server sends, whenever it sends it.
 */
function call(
  session: http2.ClientHttp2Session,
  body: Buffer,
  options: { end?: boolean; headers?: http2.OutgoingHttpHeaders } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ":method": "POST",
      ":path": PATH,
      "content-type": "application/grpc",
      te: "trailers",
      ...options.headers,
    });
    let status: Outcome | undefined;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] === undefined || status) return;
      status = { code: Number(h["grpc-status"]), message: decodeURIComponent(String(h["grpc-message"] ?? "")) };
      // As gRPC clients do: the call is over, so the request side ends too.
      if (!req.writableEnded) req.end();
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("error", () => {});
    req.resume();
    req.on("close", () =>
      status ? resolve(status) : reject(new Error(`no status (RST code ${req.rstCode}) for the call`)),
    );
    if (options.end === false) req.write(body);
    else req.end(body);
  });
}

const frame = (length: number, bytes = Buffer.alloc(0), compressed = false) => {
  const out = Buffer.alloc(5 + bytes.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(length, 1);
  out.set(bytes, 5);
  return out;
};
const empty = frame(0);
/** The start of a message announcing `announced` bytes, of which `sent` are sent. */
const partial = (announced: number, sent: number) => frame(announced, Buffer.alloc(sent, 1));

async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("grpc-timeout", () => {
  it("beyond what a timer holds means no deadline, not 1 ms", async () => {
    await start({}, 50);
    const session = connect();
    // 99,999,999 hours: far past 2^31-1 ms; Node would fire such a timer after 1 ms.
    expect(await call(session, empty, { headers: { "grpc-timeout": "99999999H" } })).toEqual({ code: 0, message: "" });
    // Just below the timer's limit (2,147,483 s) it is a deadline like any other, and it has not passed.
    expect((await call(session, empty, { headers: { "grpc-timeout": "2147483S" } })).code).toBe(0);
    const short = await call(session, empty, { headers: { "grpc-timeout": "10m" } });
    expect(short.code).toBe(4);
  });

  it("covers reading the request: a stalled body ends when the deadline passes", async () => {
    await start({ bodyStallMs: 60_000 });
    const started = Date.now();
    const outcome = await call(connect(), partial(100, 10), { end: false, headers: { "grpc-timeout": "200m" } });
    expect(outcome.code).toBe(4);
    expect(outcome.message).toMatch(/deadline \(grpc-timeout 200 ms\) passed/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await eventually(() => server!.frontDoor().pendingBodyBytes === 0, 1_000, "the body's bytes to be given back");
  });
});

describe("request bodies", () => {
  it("a body that stops arriving ends its call with DEADLINE_EXCEEDED and gives its bytes back", async () => {
    await start({ bodyStallMs: 200 });
    const session = connect();
    const pending = call(session, partial(64 * KiB, 32 * KiB), { end: false });
    await eventually(() => server!.frontDoor().pendingBodyBytes > 0, 2_000, "the body to be held");
    const outcome = await pending;
    expect(outcome.code).toBe(4);
    expect(outcome.message).toMatch(/request stopped arriving: no bytes for 0.2 s after 32773; the call was ended/);
    expect(server!.frontDoor().pendingBodyBytes).toBe(0);
    await eventually(() => server!.frontDoor().calls === 0, 1_000, "the call to end");
    // The connection is fine: the next call on it is answered.
    expect((await call(session, empty)).code).toBe(0);
  });

  it("one connection's pending bodies past its share are refused with RESOURCE_EXHAUSTED; others still get in", async () => {
    await start({ pendingBodyBytesPerConnection: 300 * KiB, pendingBodyBytes: 600 * KiB, bodyStallMs: 5_000 });
    const hog = connect();
    const first = call(hog, partial(1024 * KiB, 200 * KiB), { end: false });
    await eventually(() => server!.frontDoor().pendingBodyBytes >= 200 * KiB, 2_000, "the first body to be held");
    const second = await call(hog, partial(1024 * KiB, 200 * KiB), { end: false });
    expect(second.code).toBe(8);
    expect(second.message).toMatch(
      /^requests still arriving on this connection hold 0\.\d+ MiB; this one would pass the connection's limit of 0\.29 MiB: send fewer large requests at once on one connection$/,
    );

    // Another connection gets its share of the whole budget.
    const other = connect();
    const third = call(other, partial(1024 * KiB, 250 * KiB), { end: false });
    await eventually(() => server!.frontDoor().pendingBodyBytes >= 450 * KiB, 2_000, "the third body to be held");
    const fourth = await call(connect(), partial(1024 * KiB, 200 * KiB), { end: false });
    expect(fourth.code).toBe(8);
    expect(fourth.message).toMatch(
      /^requests still arriving hold 0\.\d+ MiB of the store's memory; this one would pass its limit of 0\.59 MiB: retry shortly$/,
    );
    // A small whole request still fits and is answered.
    expect((await call(other, empty)).code).toBe(0);

    hog.destroy();
    other.destroy();
    await Promise.allSettled([first, third]);
    await eventually(() => server!.frontDoor().pendingBodyBytes === 0, 2_000, "every body's bytes to be given back");
  });

  it("a small gzip body that decompresses past the budget is refused before its output is kept", async () => {
    await start({ pendingBodyBytesPerConnection: 1024 * KiB, pendingBodyBytes: 1024 * KiB });
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * KiB));
    const outcome = await call(connect(), frame(bomb.length, bomb, true), { headers: { "grpc-encoding": "gzip" } });
    expect(bomb.length).toBeLessThan(16 * KiB);
    expect(outcome.code).toBe(8);
    expect(outcome.message).toMatch(/this one would pass the connection's limit of 1 MiB/);
    expect(server!.frontDoor().pendingBodyBytes).toBe(0);
  });
});

describe("streams and connections", () => {
  it("advertises its streams-per-connection limit in SETTINGS", async () => {
    await start({ maxStreamsPerConnection: 7 });
    const session = connect();
    await new Promise((r) => session.once("remoteSettings", r));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(7);
  });

  it("answers calls past the limit of calls in progress with UNAVAILABLE at once, but keeps each connection's reserve", async () => {
    await start({ maxCalls: 3, callsReservedPerConnection: 1, bodyStallMs: 5_000 });
    const busy = connect();
    const held = [1, 2, 3].map(() => call(busy, partial(100, 1), { end: false }));
    await eventually(() => server!.frontDoor().calls === 3, 2_000, "three calls in progress");
    const started = Date.now();
    const refused = await call(busy, empty);
    expect(refused.code).toBe(14);
    expect(refused.message).toBe(
      "the store is serving its limit of 3 calls at once; retry shortly or use another instance",
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    // Another connection still gets its reserve of one call, and no more.
    const other = connect();
    const reserved = call(other, partial(100, 1), { end: false });
    await eventually(() => server!.frontDoor().calls === 4, 2_000, "the reserved call");
    expect((await call(other, empty)).code).toBe(14);
    busy.destroy();
    other.destroy();
    await Promise.allSettled([...held, reserved]);
    await eventually(() => server!.frontDoor().calls === 0, 2_000, "the calls to end");
    expect((await call(connect(), empty)).code).toBe(0);
  });

  it("closes connections past the connection limit as they arrive", async () => {
    await start({ maxConnections: 2 });
    const [a, b] = [connect(), connect()];
    expect((await call(a, empty)).code).toBe(0);
    expect((await call(b, empty)).code).toBe(0);
    const c = connect();
    const closed = new Promise((r) => c.once("close", r));
    await expect(call(c, empty)).rejects.toThrow();
    await closed;
    expect(server!.frontDoor().connections).toBe(2);
  });

  it("closes a connection with no call for the idle time, and keeps one whose call is open", async () => {
    await start({ idleSessionMs: 200, bodyStallMs: 5_000 });
    const idle = connect();
    expect((await call(idle, empty)).code).toBe(0);
    const busy = connect();
    const open = call(busy, partial(100, 1), { end: false });
    const started = Date.now();
    await new Promise((r) => idle.once("close", r));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await new Promise((r) => setTimeout(r, 300));
    expect(busy.closed || busy.destroyed).toBe(false);
    busy.destroy();
    await open.catch(() => undefined);
  });

  it("closes a socket that never speaks HTTP/2 after the idle time", async () => {
    await start({ idleSessionMs: 200 });
    const socket = net.connect(server!.port, "127.0.0.1");
    socket.on("error", () => {});
    // Reads (and drops) what the server sends, so the socket sees the server hang up.
    socket.resume();
    const closed = new Promise((r) => socket.once("close", r));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
