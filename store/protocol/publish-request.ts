/**
 * The publish requests decoded by hand, the way the generic decoder would, except that each fact's
 * header and payload stay the bytes the client sent: the payload goes to PostgreSQL as it is
 * (store/storage/append.ts), never turned into a JavaScript string and encoded back — that round
 * trip and its garbage were a large part of the store's CPU per published fact (docs/performance.md).
 */

/** A fact as received: header and payload as the UTF-8 bytes the client sent (store/facts/fact.ts checks them). */
export interface ReceivedFact {
  header: Uint8Array;
  payload: Uint8Array;
}

/** MSG_Facts with byte payloads. */
export interface ReceivedFacts {
  fact: ReceivedFact[];
}

/** MSG_ConditionalPublishRequest with byte payloads. */
export interface ReceivedConditionalPublish {
  facts?: ReceivedFacts;
  tokenPresent: boolean;
  token?: { msb: bigint; lsb: bigint };
}

// Wire types (protobuf encoding).
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Thrown for bytes that are not the message; the gRPC layer answers "the request is not a valid …". */
class MalformedMessage extends Error {}

class Reader {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.at = start;
  }

  done(): boolean {
    return this.at >= this.end;
  }

  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.end) throw new MalformedMessage("premature end of a varint");
      const byte = this.bytes[this.at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    throw new MalformedMessage("a varint longer than 10 bytes");
  }

  /** A varint known to be small (tags, lengths): plain numbers, no bigint. */
  smallVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.end) throw new MalformedMessage("premature end of a varint");
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new MalformedMessage("a tag or length longer than 5 bytes");
  }

  /** The bounds of a length-delimited field's content. */
  delimited(): [number, number] {
    const length = this.smallVarint();
    const start = this.at;
    if (length > this.end - start) throw new MalformedMessage("a field runs past the end of its message");
    this.at = start + length;
    return [start, this.at];
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === FIXED64) this.advance(8);
    else if (wireType === LENGTH_DELIMITED) this.delimited();
    else if (wireType === FIXED32) this.advance(4);
    else throw new MalformedMessage(`wire type ${wireType} is not supported`);
  }

  private advance(n: number): void {
    if (n > this.end - this.at) throw new MalformedMessage("premature end of a field");
    this.at += n;
  }
}

/** The facts of a publish (MSG_Facts), payloads as views into `bytes` (no copy). */
export function decodeFacts(bytes: Uint8Array): ReceivedFacts {
  return readFacts(bytes, 0, bytes.length);
}

/** A conditional publish (MSG_ConditionalPublishRequest), payloads as views into `bytes`. */
export function decodeConditionalPublish(bytes: Uint8Array): ReceivedConditionalPublish {
  const out: ReceivedConditionalPublish = { tokenPresent: false };
  const reader = new Reader(bytes);
  while (!reader.done()) {
    const [field, wireType] = tag(reader);
    if (field === 1 && wireType === LENGTH_DELIMITED) {
      // A message field given twice is merged (protobuf): its repeated facts concatenate.
      const [start, end] = reader.delimited();
      const facts = readFacts(bytes, start, end);
      out.facts = out.facts ? { fact: [...out.facts.fact, ...facts.fact] } : facts;
    } else if (field === 2 && wireType === VARINT) {
      out.tokenPresent = reader.varint() !== 0n;
    } else if (field === 3 && wireType === LENGTH_DELIMITED) {
      const [start, end] = reader.delimited();
      out.token = readUuid(bytes, start, end, out.token);
    } else {
      reader.skip(wireType);
    }
  }
  return out;
}

function tag(reader: Reader): [number, number] {
  const value = reader.smallVarint();
  const field = Math.floor(value / 8);
  if (field === 0) throw new MalformedMessage("field number 0 is illegal");
  return [field, value % 8];
}

function readFacts(bytes: Uint8Array, start: number, end: number): ReceivedFacts {
  const fact: ReceivedFact[] = [];
  const reader = new Reader(bytes, start, end);
  while (!reader.done()) {
    const [field, wireType] = tag(reader);
    if (field === 1 && wireType === LENGTH_DELIMITED) {
      const [s, e] = reader.delimited();
      fact.push(readFact(bytes, s, e));
    } else {
      reader.skip(wireType);
    }
  }
  return { fact };
}

const EMPTY = new Uint8Array(0);

function readFact(bytes: Uint8Array, start: number, end: number): ReceivedFact {
  let header: Uint8Array = EMPTY;
  let payload: Uint8Array = EMPTY;
  const reader = new Reader(bytes, start, end);
  while (!reader.done()) {
    const [field, wireType] = tag(reader);
    // A scalar field given twice: the last one counts (protobuf).
    if (field === 1 && wireType === LENGTH_DELIMITED) {
      const [s, e] = reader.delimited();
      header = bytes.subarray(s, e);
    } else if (field === 2 && wireType === LENGTH_DELIMITED) {
      const [s, e] = reader.delimited();
      payload = bytes.subarray(s, e);
    } else {
      reader.skip(wireType);
    }
  }
  return { header, payload };
}

function readUuid(
  bytes: Uint8Array,
  start: number,
  end: number,
  merged: { msb: bigint; lsb: bigint } | undefined,
): { msb: bigint; lsb: bigint } {
  let msb = merged?.msb ?? 0n;
  let lsb = merged?.lsb ?? 0n;
  const reader = new Reader(bytes, start, end);
  while (!reader.done()) {
    const [field, wireType] = tag(reader);
    if (field === 1 && wireType === VARINT) msb = BigInt.asIntN(64, reader.varint());
    else if (field === 2 && wireType === VARINT) lsb = BigInt.asIntN(64, reader.varint());
    else reader.skip(wireType);
  }
  return { msb, lsb };
}
