/**
 * A lazy index over JSON text, for showing payloads of any size as a tree.
 *
 * JSON.parse would do the work in one go, but it (a) builds every object of a 5 MB payload up
 * front and (b) rounds numbers beyond 2^53, while the console must show a payload exactly as
 * stored. Instead, values are spans [start, end) of the original text: a container's children
 * are found only when it is opened, numbers stay as written, strings are decoded only when shown.
 */

export type JsonKind = "object" | "array" | "string" | "number" | "boolean" | "null";

/** One value in the text: its kind and where it is. */
export interface JsonSpan {
  kind: JsonKind;
  start: number;
  end: number;
}

/** A container's children: for objects, key spans (including quotes) beside value spans. */
export interface JsonChildren {
  count: number;
  /** [keyStart, keyEnd, valueStart, valueEnd] per child; keys are -1 in arrays. Compact on purpose: a 1M-element array costs 16 MB here instead of a million objects. */
  offsets: Int32Array;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position}`);
  }
}

const QUOTE = 34,
  BACKSLASH = 92,
  COMMA = 44,
  COLON = 58;
const OPEN_OBJ = 123,
  CLOSE_OBJ = 125,
  OPEN_ARR = 91,
  CLOSE_ARR = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The end (exclusive) of the string literal starting at `i` (a quote). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new JsonSyntaxError("unterminated string", i);
}

/** The end of the container opened at `i`, skipping strings; no validation of what is inside. */
function containerEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) j = stringEnd(text, j) - 1;
    else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--depth === 0) return j + 1;
    }
  }
  throw new JsonSyntaxError("unclosed " + (text.charCodeAt(i) === OPEN_OBJ ? "object" : "array"), i);
}

/** The value starting at `i` (after whitespace). */
export function spanAt(text: string, i: number): JsonSpan {
  const start = skipSpace(text, i);
  const c = text.charCodeAt(start);
  if (c === OPEN_OBJ) return { kind: "object", start, end: containerEnd(text, start) };
  if (c === OPEN_ARR) return { kind: "array", start, end: containerEnd(text, start) };
  if (c === QUOTE) return { kind: "string", start, end: stringEnd(text, start) };
  let end = start;
  while (end < text.length) {
    const d = text.charCodeAt(end);
    if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || isSpace(d)) break;
    end++;
  }
  const word = text.slice(start, end);
  if (word === "true" || word === "false") return { kind: "boolean", start, end };
  if (word === "null") return { kind: "null", start, end };
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(word)) return { kind: "number", start, end };
  throw new JsonSyntaxError(word === "" ? "value expected" : `unexpected "${word.slice(0, 20)}"`, start);
}

/** The whole text as one value; trailing non-space is an error (the text is not one JSON value). */
export function rootSpan(text: string): JsonSpan {
  const span = spanAt(text, 0);
  const rest = skipSpace(text, span.end);
  if (rest < text.length) throw new JsonSyntaxError("unexpected text after the value", rest);
  return span;
}

/** The children of an object or array span, in order. */
export function childrenOf(text: string, span: JsonSpan): JsonChildren {
  const isObject = span.kind === "object";
  let offsets = new Int32Array(64);
  let count = 0;
  let i = skipSpace(text, span.start + 1);
  const close = isObject ? CLOSE_OBJ : CLOSE_ARR;
  if (text.charCodeAt(i) === close) return { count: 0, offsets: offsets.subarray(0, 0) };
  for (;;) {
    let keyStart = -1,
      keyEnd = -1;
    if (isObject) {
      if (text.charCodeAt(i) !== QUOTE) throw new JsonSyntaxError("key expected", i);
      keyStart = i;
      keyEnd = stringEnd(text, i);
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) throw new JsonSyntaxError('":" expected', i);
      i++;
    }
    const value = spanAt(text, i);
    if (count * 4 + 4 > offsets.length) {
      const grown = new Int32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets.set([keyStart, keyEnd, value.start, value.end], count * 4);
    count++;
    i = skipSpace(text, value.end);
    const c = text.charCodeAt(i);
    if (c === COMMA) i = skipSpace(text, i + 1);
    else if (c === close) break;
    else throw new JsonSyntaxError(`"," or "${isObject ? "}" : "]"}" expected`, i);
  }
  return { count, offsets: offsets.subarray(0, count * 4) };
}

/** The i-th child's value span (from the index: no scanning). */
export function childSpan(text: string, children: JsonChildren, i: number): JsonSpan {
  const start = children.offsets[i * 4 + 2];
  return { kind: kindAt(text, start), start, end: children.offsets[i * 4 + 3] };
}

/** The kind of the (already validated) value starting at `i`, from its first character. */
function kindAt(text: string, i: number): JsonKind {
  const c = text.charCodeAt(i);
  if (c === OPEN_OBJ) return "object";
  if (c === OPEN_ARR) return "array";
  if (c === QUOTE) return "string";
  if (c === 116 || c === 102) return "boolean"; // t, f
  if (c === 110) return "null"; // n
  return "number";
}

/** The i-th child's key (decoded), or its index in an array. */
export function childKey(text: string, children: JsonChildren, i: number): string | number {
  const start = children.offsets[i * 4];
  if (start < 0) return i;
  return decodeString(text.slice(start, children.offsets[i * 4 + 1]));
}

/** A string literal's value; fast path when there is nothing to unescape. */
export function decodeString(literal: string): string {
  return literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}
