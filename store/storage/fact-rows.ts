import type { StoredFact } from "../facts/fact";

// Index entries per row: chunk, then start and length of ser, header, payload and mark.
const STRIDE = 9;

/**
 * Facts as PostgreSQL sent them: each row's serial, header and payload stay the UTF-8 bytes of the
 * socket chunks they arrived in (store/storage/rows-cursor.ts), located by offsets, never decoded
 * into JavaScript strings. A catch-up copies them once, straight into its gRPC frame
 * (store/protocol/notifications.ts); only what needs a fact's text (a transformation, a filter
 * script, a schema dry run) decodes, with toStoredFacts().
 */
export class FactRows {
  /** The buffers the rows point into (socket chunks, or a message reassembled from several). */
  private readonly chunks: Buffer[] = [];
  // Per row: chunk index, then start and length of serial, header, payload and mark (-1: none).
  private index = new Int32Array(STRIDE * 64);
  private count = 0;
  private bytes = 0;

  get length(): number {
    return this.count;
  }

  /** Header and payload bytes of all rows. */
  get byteLength(): number {
    return this.bytes;
  }

  /**
   * Adds a row whose fields (ser, header, payload, and optionally a mark that may be NULL: lengths
   * and values as in a DataRow message) start at `at` in `chunk`; returns false when the row is not
   * that (the caller reports it). The mark is what a read joined to the transformation cache says of
   * the row (store/storage/read.ts).
   */
  addDataRow(chunk: Buffer, at: number, end: number): boolean {
    if (end - at < 2) return false;
    const fields = chunk.readInt16BE(at);
    if (fields !== 3 && fields !== 4) return false;
    at += 2;
    if (this.chunks[this.chunks.length - 1] !== chunk) this.chunks.push(chunk);
    const base = this.grow();
    this.index[base] = this.chunks.length - 1;
    this.index[base + 8] = -1;
    for (let field = 0; field < fields; field++) {
      if (end - at < 4) return false;
      const length = chunk.readInt32BE(at);
      at += 4;
      if (length === -1 && field === 3) continue;
      if (length < 0 || end - at < length) return false;
      this.index[base + 1 + field * 2] = at;
      this.index[base + 2 + field * 2] = length;
      at += length;
    }
    this.bytes += this.index[base + 4] + this.index[base + 6];
    this.count++;
    return at === end;
  }

  /** The first byte of row i's mark, or 0 when it has none. */
  mark(i: number): number {
    const base = i * STRIDE;
    return this.index[base + 8] <= 0 ? 0 : this.chunks[this.index[base]][this.index[base + 7]];
  }

  /** Row i's mark as text ("" when it has none). */
  markText(i: number): string {
    const base = i * STRIDE;
    if (this.index[base + 8] <= 0) return "";
    const start = this.index[base + 7];
    return this.chunks[this.index[base]].toString("utf8", start, start + this.index[base + 8]);
  }

  /** Row i as text, for what needs to read it. */
  storedFact(i: number): StoredFact {
    const base = i * STRIDE;
    const chunk = this.chunks[this.index[base]];
    const text = (field: number) =>
      chunk.toString("utf8", this.index[base + field], this.index[base + field] + this.index[base + field + 1]);
    return { ser: this.ser(i), header: text(3), payload: text(5) };
  }

  /**
   * Puts `fact` (the same serial, e.g. row i transformed) in row i's place: its text is encoded once
   * into a buffer of its own, and the row is copied into frames like any other.
   */
  replace(i: number, fact: StoredFact): void {
    const ser = fact.ser.toString();
    const serBytes = Buffer.byteLength(ser, "latin1");
    const headerBytes = Buffer.byteLength(fact.header, "utf8");
    const payloadBytes = Buffer.byteLength(fact.payload, "utf8");
    const own = Buffer.allocUnsafe(serBytes + headerBytes + payloadBytes);
    own.write(ser, 0, "latin1");
    own.write(fact.header, serBytes, "utf8");
    own.write(fact.payload, serBytes + headerBytes, "utf8");
    const base = i * STRIDE;
    this.bytes += headerBytes + payloadBytes - this.index[base + 4] - this.index[base + 6];
    this.chunks.push(own);
    this.index.set(
      [this.chunks.length - 1, 0, serBytes, serBytes, headerBytes, serBytes + headerBytes, payloadBytes],
      base,
    );
    this.index[base + 8] = -1;
  }

  /** The index offset of a new row, the index grown when full. */
  private grow(): number {
    if ((this.count + 1) * STRIDE > this.index.length) {
      const grown = new Int32Array(this.index.length * 2);
      grown.set(this.index);
      this.index = grown;
    }
    return this.count * STRIDE;
  }

  ser(i: number): bigint {
    const base = i * STRIDE;
    const chunk = this.chunks[this.index[base]];
    const start = this.index[base + 1];
    // int8 in text form: ASCII digits.
    return BigInt(chunk.toString("latin1", start, start + this.index[base + 2]));
  }

  /** The serial of the last row (call only when there is one). */
  get lastSer(): bigint {
    return this.ser(this.count - 1);
  }

  headerLength(i: number): number {
    return this.index[i * STRIDE + 4];
  }

  payloadLength(i: number): number {
    return this.index[i * STRIDE + 6];
  }

  /** Copies row i's header bytes into `target` at `at`; returns the offset after them. */
  copyHeader(i: number, target: Buffer, at: number): number {
    return this.copyField(i, 3, target, at);
  }

  copyPayload(i: number, target: Buffer, at: number): number {
    return this.copyField(i, 5, target, at);
  }

  /** The rows as text, for what needs to read them. */
  toStoredFacts(): StoredFact[] {
    const out: StoredFact[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.storedFact(i);
    return out;
  }

  private copyField(i: number, field: number, target: Buffer, at: number): number {
    const base = i * STRIDE;
    const start = this.index[base + field];
    return at + this.chunks[this.index[base]].copy(target, at, start, start + this.index[base + field + 1]);
  }
}
