// The catch-up cursor's socket tap (store/storage/rows-cursor.ts): DataRow messages are taken off the
// wire into FactRows, every other message reaches node-postgres's parser whole and in order, however
// the socket cuts the bytes into chunks, and the socket is handed back intact when the query ends.
import { EventEmitter } from "node:events";
import type { Connection } from "pg";
import { describe, expect, it } from "vitest";
import { FactRows } from "./fact-rows";
import { StreamTap } from "./rows-cursor";

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

function dataRow(fields: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, fields.length >> 8, fields.length & 0xff]).subarray(1)];
  for (const f of fields) {
    const bytes = typeof f === "string" ? Buffer.from(f, "utf8") : f;
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return message("D", Buffer.concat(parts));
}

const commandComplete = (tag: string) => message("C", Buffer.from(`${tag}\0`, "latin1"));
const portalSuspended = () => message("s", Buffer.alloc(0));
const readyForQuery = () => message("Z", Buffer.from("I", "latin1"));

const fact = (ser: number, payload: string) => ({
  ser: BigInt(ser),
  header: `{"id":"00000000-0000-0000-0000-${String(ser).padStart(12, "0")}","meta":{"_ser":${ser}}}`,
  payload,
});

type Seen = { rows: FactRows; parsed: Buffer[]; order: string[] };

/** A socket with node-postgres's parser listening, tapped; feeds `chunks` and records what each side got. */
function tapped(chunks: Buffer[], onParsed?: (bytes: Buffer, tap: StreamTap) => void): Seen {
  const stream = new EventEmitter();
  const seen = { parsed: [] as Buffer[], order: [] as string[], rows: new FactRows() };
  const handle: { tap?: StreamTap } = {};
  stream.on("data", (bytes: Buffer) => {
    seen.parsed.push(Buffer.from(bytes));
    seen.order.push("parser");
    onParsed?.(bytes, handle.tap!);
  });
  handle.tap = new StreamTap({ stream } as unknown as Connection, (chunk, at, end) => {
    expect(seen.rows.addDataRow(chunk, at, end)).toBe(true);
    seen.order.push("row");
  });
  for (const chunk of chunks) stream.emit("data", chunk);
  return seen;
}

function cut(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

const facts = [
  fact(1, '{"a":1}'),
  fact(2, '{"name":"Zoë","emoji":"😀","cjk":"事実"}'),
  fact(3, JSON.stringify({ blob: "x".repeat(70_000) })),
  fact(4, "{}"),
];
const rowsMessage = (fs: typeof facts) => fs.map((f) => dataRow([String(f.ser), f.header, f.payload]));

describe("StreamTap", () => {
  const wire = Buffer.concat([
    ...rowsMessage(facts.slice(0, 2)),
    portalSuspended(),
    ...rowsMessage(facts.slice(2)),
    commandComplete("SELECT 2"),
  ]);
  const others = Buffer.concat([portalSuspended(), commandComplete("SELECT 2")]);

  it.each([
    ["one chunk", [wire.length]],
    ["single bytes", [1]],
    ["chunks of 3 and 7 bytes", [3, 7]],
    ["socket-sized chunks", [65_536]],
    ["chunks that cut message headers", [2, 4, 1, 5, 4_000]],
  ])("takes the rows and passes every other message on whole and in order: %s", (_, sizes) => {
    const seen = tapped(cut(wire, sizes));
    expect(seen.rows.toStoredFacts()).toEqual(facts);
    expect(Buffer.concat(seen.parsed).equals(others)).toBe(true);
    // PortalSuspended after the first two rows, CommandComplete after the last.
    const firstParser = seen.order.indexOf("parser");
    expect(seen.order.slice(0, firstParser)).toEqual(["row", "row"]);
    expect(seen.order.filter((o) => o === "row")).toHaveLength(4);
    expect(seen.order[seen.order.length - 1]).toBe("parser");
  });

  it("gives the socket back when the query ends, the bytes after its end going to the parser", () => {
    const next = rowsMessage([fact(9, '{"next":"query"}')])[0];
    const bytes = Buffer.concat([
      ...rowsMessage(facts.slice(0, 1)),
      readyForQuery(),
      next,
      commandComplete("SELECT 1"),
    ]);
    for (const sizes of [[bytes.length], [1], [7, 3]]) {
      const seen = tapped(cut(bytes, sizes), (parsed, tap) => {
        if (parsed.includes(readyForQuery())) tap.remove();
      });
      expect(seen.rows.length).toBe(1);
      expect(
        Buffer.concat(seen.parsed).equals(Buffer.concat([readyForQuery(), next, commandComplete("SELECT 1")])),
      ).toBe(true);
    }
  });

  it("hands a message it holds in part to the parser when removed", () => {
    const stream = new EventEmitter();
    const parsed: Buffer[] = [];
    stream.on("data", (b: Buffer) => parsed.push(b));
    const tap = new StreamTap({ stream } as unknown as Connection, () => {});
    const ready = readyForQuery();
    stream.emit("data", ready.subarray(0, 3));
    tap.remove();
    stream.emit("data", ready.subarray(3));
    expect(Buffer.concat(parsed).equals(ready)).toBe(true);
    expect(stream.listenerCount("data")).toBe(1);
  });
});

describe("FactRows", () => {
  it("refuses a row that is not (ser, header, payload[, mark])", () => {
    for (const row of [dataRow(["1", "{}"]), dataRow(["1", "{}", "{}", "x", "y"])]) {
      expect(new FactRows().addDataRow(row, 5, row.length)).toBe(false);
    }
    const truncated = dataRow(["1", "{}", "{}"]);
    expect(new FactRows().addDataRow(truncated, 5, truncated.length - 1)).toBe(false);
  });

  it("keeps a cache-joined read's mark (NULL: none), and puts a fact in a row's place for the frame", () => {
    const rows = new FactRows();
    const marked = dataRow(["7", `{"a":1}`, `{"b":2}`, "s 2 c id"]);
    const unmarked = dataRow(["8", `{"a":3}`, `{"b":4}`, "m"]);
    unmarked.writeInt32BE(-1, unmarked.length - 5);
    const shorter = Buffer.concat([unmarked.subarray(0, unmarked.length - 1)]);
    shorter.writeInt32BE(shorter.length - 1, 1);
    expect(rows.addDataRow(marked, 5, marked.length)).toBe(true);
    expect(rows.addDataRow(shorter, 5, shorter.length)).toBe(true);
    expect([rows.mark(0), rows.markText(0), rows.mark(1), rows.markText(1)]).toEqual([0x73, "s 2 c id", 0, ""]);
    expect(rows.byteLength).toBe(14 * 2);

    rows.replace(0, { ser: 7n, header: `{"a":"ü"}`, payload: `{"b":"事実"}` });
    expect(rows.toStoredFacts()).toEqual([
      { ser: 7n, header: `{"a":"ü"}`, payload: `{"b":"事実"}` },
      { ser: 8n, header: `{"a":3}`, payload: `{"b":4}` },
    ]);
    expect(rows.mark(0)).toBe(0);
    expect(rows.headerLength(0)).toBe(Buffer.byteLength(`{"a":"ü"}`));
    expect(rows.byteLength).toBe(Buffer.byteLength(`{"a":"ü"}{"b":"事実"}`) + 14);
    const frame = Buffer.alloc(rows.headerLength(0) + rows.payloadLength(0));
    rows.copyPayload(0, frame, rows.copyHeader(0, frame, 0));
    expect(frame.toString()).toBe(`{"a":"ü"}{"b":"事実"}`);
    expect(rows.lastSer).toBe(8n);
  });

  it("refuses a NULL field (length -1)", () => {
    const row = dataRow(["1", "{}", "{}"]);
    row.writeInt32BE(-1, 5 + 2 + 4 + 1);
    expect(new FactRows().addDataRow(row, 5, row.length)).toBe(false);
  });

  it("counts header and payload bytes, and reads serials of any size", () => {
    const rows = new FactRows();
    const big = "9223372036854775807";
    for (const row of [dataRow(["1", "{}", "é"]), dataRow([big, "{}", "{}"])]) {
      expect(rows.addDataRow(row, 5, row.length)).toBe(true);
    }
    expect(rows.byteLength).toBe(2 + 2 + 2 + 2);
    expect(rows.lastSer).toBe(BigInt(big));
  });

  it("grows past its initial index", () => {
    const rows = new FactRows();
    for (let i = 1; i <= 1_000; i++) {
      const row = dataRow([String(i), "{}", `{"i":${i}}`]);
      expect(rows.addDataRow(row, 5, row.length)).toBe(true);
    }
    expect(rows.length).toBe(1_000);
    expect(rows.toStoredFacts()[999]).toEqual({ ser: 1_000n, header: "{}", payload: '{"i":1000}' });
  });
});
