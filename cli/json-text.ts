// Working on JSON *text* rather than parsed values: payloads must leave the CLI byte for byte as they
// arrived (whitespace, key order, number spelling, escapes), which JSON.parse + stringify would not
// keep. Every function here expects text that JSON.parse already accepted.

export interface Span {
  start: number;
  end: number;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/** Index just past the string literal that starts at `i` (text[i] === '"'). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i])) i++;
  return i;
}

/** Index just past the JSON value that starts at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipString(text, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !WHITESPACE.has(text[j]) && text[j] !== "," && text[j] !== "}" && text[j] !== "]") j++;
  return j;
}

/**
 * Where each member's value sits in the text of a JSON object, so a caller can cut out the exact
 * bytes of, say, "payload". A repeated key maps to its last occurrence, as JSON.parse does.
 */
export function memberSpans(objectText: string): Map<string, Span> {
  const spans = new Map<string, Span>();
  let i = skipWhitespace(objectText, 0);
  if (objectText[i] !== "{") throw new Error("memberSpans expects a JSON object");
  i++;
  for (;;) {
    i = skipWhitespace(objectText, i);
    if (i >= objectText.length || objectText[i] === "}") return spans;
    if (objectText[i] === ",") {
      i++;
      continue;
    }
    const keyEnd = skipString(objectText, i);
    const key = JSON.parse(objectText.slice(i, keyEnd)) as string;
    i = skipWhitespace(objectText, keyEnd);
    i = skipWhitespace(objectText, i + 1); // past ':'
    const end = skipValue(objectText, i);
    spans.set(key, { start: i, end });
    i = end;
  }
}

/**
 * The JSON text on one line. Raw line breaks can only be insignificant whitespace in valid JSON
 * (inside strings they must be escaped), so turning them into spaces changes no value; texts
 * without line breaks, which is every payload that came in as NDJSON, are returned untouched.
 */
export function singleLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/\r\n|[\r\n]/g, " ") : text;
}

/**
 * Re-indents JSON text for people, token by token: numbers, strings and key order stay exactly as
 * stored (JSON.stringify would round big numbers and lose duplicate keys).
 */
export function prettyJson(text: string, indent = "  "): string {
  let out = "";
  let depth = 0;
  const newline = () => "\n" + indent.repeat(depth);
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (WHITESPACE.has(c)) {
      i++;
    } else if (c === '"') {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "{" || c === "[") {
      const next = skipWhitespace(text, i + 1);
      if (text[next] === (c === "{" ? "}" : "]")) {
        out += c + text[next]; // keep {} and [] on one line
        i = next + 1;
      } else {
        depth++;
        out += c + newline();
        i++;
      }
    } else if (c === "}" || c === "]") {
      depth--;
      out += newline() + c;
      i++;
    } else if (c === ",") {
      out += "," + newline();
      i++;
    } else if (c === ":") {
      out += ": ";
      i++;
    } else {
      const end = skipValue(text, i);
      out += text.slice(i, end);
      i = end;
    }
  }
  return out;
}
