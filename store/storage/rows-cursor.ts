import { createRequire } from "node:module";
import type { Connection } from "pg";
import { FactRows } from "./fact-rows";

// node-postgres's own parameter conversion (what pg-cursor uses), so values bind as in any query.
const { prepareValue } = createRequire(import.meta.url)("pg/lib/utils.js") as { prepareValue(v: unknown): unknown };

/**
 * A server-side cursor over `SELECT ser, header, payload …` (each column in PostgreSQL's text
 * output, whatever its type) whose rows reach the caller as the bytes PostgreSQL sent (FactRows),
 * for catch-up reads.
 *
 * node-postgres decodes every field of every row into a JavaScript string before anyone sees it,
 * and a catch-up then encoded each string back into UTF-8 for its frame: most of the store's CPU
 * per caught-up fact. This cursor is a node-postgres query object like pg-cursor (same messages:
 * a named portal, Execute with a row limit, Flush; Close and Sync at the end), so pools, errors,
 * cancellation and connection loss behave as for any query; but while it runs, it reads the
 * connection's bytes before node-postgres's parser does, keeps the DataRow messages for itself and
 * passes every other message on, in order, for node-postgres to handle as usual.
 */
export class RowsCursor {
  private connection?: Connection;
  private portal = `factline_rows_${++portals}`;
  private state: "initialized" | "submitted" | "idle" | "busy" | "done" | "error" = "initialized";
  private rows = new FactRows();
  private pending?: { rows: number; resolve: (rows: FactRows) => void; reject: (err: Error) => void };
  private error?: Error;
  private malformed?: Error;
  private tap?: StreamTap;
  private closing?: { resolve: () => void; reject: (err: Error) => void };
  private readonly values: unknown[];

  constructor(
    private readonly text: string,
    values: unknown[],
  ) {
    this.values = values.map((v) => prepareValue(v));
  }

  /** Called by node-postgres when the query's turn comes on its connection. */
  submit(connection: Connection): void {
    this.state = "submitted";
    this.connection = connection;
    this.tap = new StreamTap(connection, (chunk, at, end) => {
      if (!this.rows.addDataRow(chunk, at, end))
        this.malformed ??= new Error("a catch-up row is not the (ser, header, payload) its query selects");
    });
    connection.parse({ text: this.text, name: "", types: [] }, true);
    connection.bind({ portal: this.portal, values: this.values as never[] }, true);
    connection.describe({ type: "P", name: this.portal }, true);
    connection.flush();
  }

  /** The next up to `maxRows` rows; an empty FactRows once the query has no more. */
  read(maxRows: number): Promise<FactRows> {
    if (this.state === "error") return Promise.reject(this.error!);
    if (this.state === "done") return Promise.resolve(new FactRows());
    if (this.pending) return Promise.reject(new Error("a catch-up cursor reads one batch at a time"));
    return new Promise((resolve, reject) => {
      this.pending = { rows: maxRows, resolve, reject };
      if (this.state === "idle") this.execute();
    });
  }

  /**
   * Closes the portal and ends the query (the connection is then free for its pool). Rejects when
   * the query ended in an error, which may have been the connection's end: its client must then not
   * go back to the pool as if healthy (pg-cursor's close never settled then, and its caller gave
   * the client up after a timeout; here the caller learns it at once).
   */
  close(): Promise<void> {
    if (this.state === "error") return Promise.reject(this.error!);
    if (!this.connection || this.tap === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.closing = { resolve, reject };
      this.closePortal();
    });
  }

  private execute(): void {
    this.state = "busy";
    this.connection!.execute({ portal: this.portal, rows: this.pending!.rows as unknown as string }, true);
    this.connection!.flush();
  }

  private closePortal(): void {
    if (this.state === "done") return;
    this.connection!.close({ type: "P", name: this.portal }, true);
    this.connection!.sync();
    this.state = "done";
  }

  private deliver(): void {
    const { pending, rows, malformed } = this;
    this.pending = undefined;
    this.rows = new FactRows();
    if (!pending) return;
    if (malformed) pending.reject(malformed);
    else pending.resolve(rows);
  }

  // node-postgres's query interface: node-postgres's Client calls these for the active query, in the
  // order of the messages (the tap passes them on in order).

  handleRowDescription(): void {
    if (this.state === "done") return;
    this.state = "idle";
    if (this.pending) this.execute();
  }

  handleDataRow(): void {
    // Rows are taken off the wire by the tap; one that got past it would be out of place.
    this.malformed ??= new Error("a catch-up row reached node-postgres's parser");
  }

  handlePortalSuspended(): void {
    this.state = "idle";
    this.deliver();
  }

  handleCommandComplete(): void {
    // The last rows: deliver them and end the portal (a short read tells the caller it was the last).
    this.closePortal();
    this.deliver();
  }

  handleReadyForQuery(): void {
    this.untap();
    this.state = "done";
    this.deliver();
    this.closing?.resolve();
    this.closing = undefined;
  }

  handleEmptyQuery(): void {
    this.connection?.sync();
  }

  handleError(err: Error): void {
    // The query is over either way: the socket's next bytes belong to whatever runs after it.
    this.untap();
    // A Sync asks for the ReadyForQuery that ends the query (node-postgres frees the connection then);
    // once done, the Sync is on its way already.
    if (this.state !== "initialized" && this.state !== "error" && this.state !== "done") this.connection?.sync();
    // Even after the last rows were delivered: a later close() must say the query did not end well.
    this.state = "error";
    this.error = err;
    this.pending?.reject(err);
    this.pending = undefined;
    this.closing?.reject(err);
    this.closing = undefined;
  }

  private untap(): void {
    this.tap?.remove();
    this.tap = undefined;
  }
}

let portals = 0;

const DATA_ROW = 0x44; // 'D'
const HEADER_BYTES = 5; // type byte + int32 length (which counts itself)

/**
 * Sits between a connection's socket and node-postgres's parser: DataRow messages go to `onRow`
 * (with the buffer and bounds of their body), every other message, whole and in order, to the
 * parser. A message split across socket chunks is put back together first (its chunks gathered and
 * joined once it is complete, so a fact of many megabytes costs one copy, not one per chunk).
 */
export class StreamTap {
  private readonly stream: NodeJS.ReadableStream & { listeners(e: "data"): Array<(b: Buffer) => void> };
  private readonly parsers: Array<(chunk: Buffer) => void>;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The length of the held message, once its first five bytes are in (-1 until then). */
  private partialTotal = -1;
  private removed = false;
  private readonly onData = (chunk: Buffer) => this.take(chunk);

  constructor(
    connection: Connection,
    private readonly onRow: (chunk: Buffer, at: number, end: number) => void,
  ) {
    this.stream = (connection as unknown as { stream: StreamTap["stream"] }).stream;
    this.parsers = this.stream.listeners("data");
    for (const parser of this.parsers) this.stream.removeListener("data", parser);
    this.stream.on("data", this.onData);
  }

  /** Gives the socket back to node-postgres's parser, with whatever incomplete message is held. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.stream.removeListener("data", this.onData);
    for (const parser of this.parsers) this.stream.on("data", parser);
    if (this.partialBytes > 0) {
      const rest = Buffer.concat(this.partial, this.partialBytes);
      this.release();
      this.toParsers(rest);
    }
  }

  private take(chunk: Buffer): void {
    let at = 0;
    if (this.partialBytes > 0) {
      if (this.partialTotal < 0) {
        // The held bytes do not yet say how long their message is.
        const needed = HEADER_BYTES - this.partialBytes;
        if (chunk.length < needed) return this.hold(chunk);
        this.hold(chunk.subarray(0, needed));
        at = needed;
        const head = Buffer.concat(this.partial, HEADER_BYTES);
        this.partial = [head];
        this.partialTotal = 1 + head.readInt32BE(1);
      }
      const taken = Math.min(this.partialTotal - this.partialBytes, chunk.length - at);
      this.hold(chunk.subarray(at, at + taken));
      at += taken;
      if (this.partialBytes < this.partialTotal) return;
      const message = Buffer.concat(this.partial, this.partialTotal);
      this.release();
      this.scan(message, 0);
      if (this.removed) return this.toParsers(chunk.subarray(at));
    }
    this.scan(chunk, at);
  }

  private hold(bytes: Buffer): void {
    this.partial.push(bytes);
    this.partialBytes += bytes.length;
  }

  private release(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.partialTotal = -1;
  }

  /** Handles the whole messages in `chunk` from `at`, and holds an incomplete last one. */
  private scan(chunk: Buffer, at: number): void {
    let others = -1; // start of a run of non-row messages to pass on together
    while (chunk.length - at >= HEADER_BYTES) {
      const end = at + 1 + chunk.readInt32BE(at + 1);
      if (end > chunk.length) break;
      if (chunk[at] === DATA_ROW) {
        if (others >= 0) {
          this.toParsers(chunk.subarray(others, at));
          others = -1;
          // Passing a message on may have ended the query (and this tap with it): the rest is theirs.
          if (this.removed) return this.toParsers(chunk.subarray(at));
        }
        this.onRow(chunk, at + HEADER_BYTES, end);
      } else if (others < 0) {
        others = at;
      }
      at = end;
    }
    if (others >= 0) {
      this.toParsers(chunk.subarray(others, at));
      if (this.removed) return this.toParsers(chunk.subarray(at));
    }
    if (at < chunk.length) {
      this.hold(chunk.subarray(at));
      if (this.partialBytes >= HEADER_BYTES) this.partialTotal = 1 + chunk.readInt32BE(at + 1);
    }
  }

  private toParsers(messages: Buffer): void {
    if (messages.length === 0) return;
    for (const parser of this.parsers) parser.call(this.stream, messages);
  }
}
