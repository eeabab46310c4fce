// The store's gRPC layer on the wire (raw HTTP/2, no RPC framework in between): the malformed calls
// a hand-rolled or misconfigured client can make each get a status that says what to fix, and
// compression works both ways.
import http2 from "node:http2";
import zlib from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MSG_FactsSchema,
  MSG_OptionalFactSchema,
  MSG_SerialSchema,
  MSG_SubscriptionRequestSchema,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
let session: http2.ClientHttp2Session;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("grpc_wire");
  session = http2.connect(fx.store.url);
}, 90_000);
afterAll(async () => {
  session?.close();
  await fx?.close();
}, 30_000);

interface Answer {
  httpStatus: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
}

function call(method: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ":method": "POST",
      ":path": `/org.factcast.grpc.api.gen.RemoteFactStore/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    const chunks: Buffer[] = [];
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    req.on("response", (h) => (responseHeaders = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () =>
      resolve({
        httpStatus: Number(responseHeaders[":status"]),
        headers: responseHeaders,
        body: Buffer.concat(chunks),
        trailers: { ...responseHeaders, ...trailers },
      }),
    );
    req.on("error", reject);
    req.end(body);
  });
}

const framed = (message: Uint8Array, compressed = false) => {
  const out = Buffer.alloc(5 + message.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
};
const serial = (n: bigint) => framed(toBinary(MSG_SerialSchema, create(MSG_SerialSchema, { serial: n })));
const status = (a: Answer) => ({
  code: Number(a.trailers["grpc-status"]),
  message: decodeURIComponent(String(a.trailers["grpc-message"] ?? "")),
});

async function publishOne(payload: object): Promise<void> {
  const id = crypto.randomUUID();
  const facts = create(MSG_FactsSchema, {
    fact: [{ header: JSON.stringify({ id, ns: "wire", type: "T" }), payload: JSON.stringify(payload) }],
  });
  const answer = await call("publish", framed(toBinary(MSG_FactsSchema, facts)));
  expect(status(answer)).toEqual({ code: 0, message: "" });
}

describe("bad calls", () => {
  it.each<[string, Buffer, http2.OutgoingHttpHeaders, number, RegExp]>([
    ["no message at all", Buffer.alloc(0), {}, 3, /no message/],
    ["a prefix announcing more bytes than sent", Buffer.from([0, 0, 0, 0, 9, 1, 2]), {}, 3, /ended after 2 of the 9/],
    ["two messages for a unary method", Buffer.concat([serial(1n), serial(2n)]), {}, 3, /more than one message/],
    ["a flag byte other than 0 or 1", Buffer.from([7, 0, 0, 0, 0]), {}, 3, /flag byte is 7/],
    [
      "bytes that are not the request message",
      framed(Buffer.from([0x0a, 0xff, 0xff])),
      {},
      3,
      /not a valid org.factcast.grpc.api.gen.MSG_Serial/,
    ],
    [
      "an unsupported grpc-encoding",
      serial(1n),
      { "grpc-encoding": "lz4" },
      12,
      /grpc-encoding lz4 is not supported; use one of gzip,identity/,
    ],
    [
      "a compressed message without grpc-encoding",
      framed(zlib.gzipSync(Buffer.from([8, 1])), true),
      {},
      13,
      /flagged compressed but grpc-encoding is missing/,
    ],
    [
      "corrupt gzip",
      framed(Buffer.from("not gzip"), true),
      { "grpc-encoding": "gzip" },
      3,
      /could not be decompressed/,
    ],
    ["a malformed grpc-timeout", serial(1n), { "grpc-timeout": "soon" }, 3, /grpc-timeout "soon" is malformed/],
  ])("%s: status %s… and the message says what to fix", async (_, body, headers, code, message) => {
    const answer = await call("fetchBySerial", body, headers);
    expect(answer.httpStatus).toBe(200);
    expect(status(answer).code).toBe(code);
    expect(status(answer).message).toMatch(message);
  });

  it("refuses a request over 40 MiB with RESOURCE_EXHAUSTED and keeps serving", async () => {
    const answer = await call("publish", Buffer.alloc(41 * 1024 * 1024));
    expect(status(answer).code).toBe(8);
    expect(status(answer).message).toMatch(/larger than 41943040 bytes/);
    expect(status(await call("latestSerial", framed(new Uint8Array(0)))).code).toBe(0);
  });

  it("ends a follow subscription with DEADLINE_EXCEEDED when its grpc-timeout passes", async () => {
    const request = create(MSG_SubscriptionRequestSchema, {
      json: JSON.stringify({ specs: [{ ns: "wire" }], continuous: true, ephemeral: true }),
    });
    const started = Date.now();
    const answer = await call("subscribe", framed(toBinary(MSG_SubscriptionRequestSchema, request)), {
      "grpc-timeout": "300m",
    });
    expect(status(answer).code).toBe(4);
    expect(status(answer).message).toMatch(/deadline \(grpc-timeout 300 ms\) passed/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("answers a non-gRPC request with HTTP 415, saying what the port serves", async () => {
    const answer = await call("latestSerial", Buffer.from("{}"), { "content-type": "application/json" });
    expect(answer.httpStatus).toBe(415);
    expect(answer.body.toString()).toMatch(/serves gRPC/);
  });
});

// A length-delimited protobuf field (field numbers below 16: a one-byte tag).
const field = (no: number, bytes: Uint8Array) => {
  const length: number[] = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(no << 3) | 2, ...length]), bytes]);
};
const rawPublish = (header: Uint8Array, payload: Uint8Array) =>
  framed(field(1, Buffer.concat([field(1, header), field(2, payload)])));
const header = () => Buffer.from(JSON.stringify({ id: crypto.randomUUID(), ns: "wire", type: "Bytes" }));

describe("publish requests, decoded by the store itself (payloads stay bytes)", () => {
  it.each<[string, Buffer, RegExp]>([
    [
      "a payload that is not UTF-8",
      rawPublish(header(), Buffer.from([0x22, 0xc3, 0x28, 0x22])),
      /^fact\[0\]\.payload is not valid UTF-8/,
    ],
    [
      "a header that is not UTF-8",
      rawPublish(Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from("{}")),
      /^fact\[0\]\.header is not valid UTF-8/,
    ],
    [
      "bytes that are not a publish message",
      framed(Buffer.from([0x0a, 0xff, 0xff])),
      /not a valid org.factcast.grpc.api.gen.MSG_Facts/,
    ],
    [
      "a fact field running past the message",
      framed(Buffer.from([0x0a, 0x05, 0x0a, 0x01])),
      /not a valid org.factcast.grpc.api.gen.MSG_Facts/,
    ],
    [
      "a field of wire type 7",
      framed(Buffer.from([0x0f])),
      /not a valid org.factcast.grpc.api.gen.MSG_Facts: wire type 7/,
    ],
  ])("%s: INVALID_ARGUMENT saying what to fix, nothing stored", async (_, body, message) => {
    const before = await call("latestSerial", framed(new Uint8Array(0)));
    const answer = await call("publish", body);
    expect(status(answer).code).toBe(3);
    expect(status(answer).message).toMatch(message);
    const after = await call("latestSerial", framed(new Uint8Array(0)));
    expect(after.body).toEqual(before.body);
  });

  it("stores a payload's bytes as sent: multi-byte text, escapes, spacing", async () => {
    const payload = Buffer.from('{ "name" : "Zoë 😀 日本", "esc": "\\" \\u00e9" ,"n":1.50 }');
    const answer = await call("publish", rawPublish(header(), payload));
    expect(status(answer)).toEqual({ code: 0, message: "" });
    const latest = await call("latestSerial", framed(new Uint8Array(0)));
    const ser = fromBinary(MSG_SerialSchema, latest.body.subarray(5)).serial;
    const fetched = fromBinary(MSG_OptionalFactSchema, (await call("fetchBySerial", serial(ser))).body.subarray(5));
    expect(Buffer.from(fetched.fact!.payload)).toEqual(payload);
  });
});

describe("compression", () => {
  it("accepts gzip-compressed requests", async () => {
    const facts = create(MSG_FactsSchema, {
      fact: [{ header: JSON.stringify({ id: crypto.randomUUID(), ns: "wire", type: "Gz" }), payload: "{}" }],
    });
    const answer = await call("publish", framed(zlib.gzipSync(toBinary(MSG_FactsSchema, facts)), true), {
      "grpc-encoding": "gzip",
    });
    expect(status(answer)).toEqual({ code: 0, message: "" });
  });

  it("compresses fact replies with gzip when the client asks with fc-msgcomp, as FactCast does", async () => {
    await publishOne({ text: "compressible ".repeat(500) });
    const latest = await call("latestSerial", framed(new Uint8Array(0)));
    const ser = fromBinary(MSG_SerialSchema, latest.body.subarray(5)).serial;
    const plain = await call("fetchBySerial", serial(ser));
    const gz = await call("fetchBySerial", serial(ser), { "fc-msgcomp": "gzip" });
    expect(plain.body[0]).toBe(0);
    expect(gz.headers["grpc-encoding"]).toBe("gzip");
    expect(gz.body[0]).toBe(1);
    expect(gz.body.length).toBeLessThan(plain.body.length / 5);
    const unzipped = fromBinary(MSG_OptionalFactSchema, zlib.gunzipSync(gz.body.subarray(5)));
    expect(unzipped).toEqual(fromBinary(MSG_OptionalFactSchema, plain.body.subarray(5)));
  });
});
