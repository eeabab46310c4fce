import type { StoredFact } from "../facts/fact";

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
  // Per row: chunk index, then start and length of serial, header and payload.
  private index = new Int32Array(7 * 64);
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
   * Adds a row whose three fields (ser, header, payload: lengths and values as in a DataRow message)
   * start at `at` in `chunk`; returns false when the row is not that (the caller reports it).
   */
  addDataRow(chunk: Buffer, at: number, end: number): boolean {
    if (end - at < 2 || chunk.readInt16BE(at) !== 3) return false;
    at += 2;
    if (this.chunks[this.chunks.length - 1] !== chunk) this.chunks.push(chunk);
    if ((this.count + 1) * 7 > this.index.length) {
      const grown = new Int32Array(this.index.length * 2);
      grown.set(this.index);
      this.index = grown;
    }
    const base = this.count * 7;
    this.index[base] = this.chunks.length - 1;
    for (let field = 0; field < 3; field++) {
      if (end - at < 4) return false;
      const length = chunk.readInt32BE(at);
      at += 4;
      if (length < 0 || end - at < length) return false;
      this.index[base + 1 + field * 2] = at;
      this.index[base + 2 + field * 2] = length;
      at += length;
    }
    this.bytes += this.index[base + 4] + this.index[base + 6];
    this.count++;
    return at === end;
  }

  ser(i: number): bigint {
    const base = i * 7;
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
    return this.index[i * 7 + 4];
  }

  payloadLength(i: number): number {
    return this.index[i * 7 + 6];
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
    for (let i = 0; i < this.count; i++) {
      const base = i * 7;
      const chunk = this.chunks[this.index[base]];
      const text = (field: number) =>
        chunk.toString("utf8", this.index[base + field], this.index[base + field] + this.index[base + field + 1]);
      out[i] = { ser: this.ser(i), header: text(3), payload: text(5) };
    }
    return out;
  }

  private copyField(i: number, field: number, target: Buffer, at: number): number {
    const base = i * 7;
    const start = this.index[base + field];
    return at + this.chunks[this.index[base]].copy(target, at, start, start + this.index[base + field + 1]);
  }
}
