/**
 * Pure helpers for the schema pages: where a JSON text is broken (line and column), which lines a
 * JSON pointer lands on in pretty-printed JSON, and a JSON Schema flattened into a field table.
 */

export interface JsonSyntaxError {
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

/** undefined when `text` parses; otherwise the parser's message at a line and column. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // V8: "… in JSON at position 12 (line 2 column 3)" or only "at position 12".
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) return { message: stripPosition(message), line: Number(lc[1]), column: Number(lc[2]) };
    const pos = /position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : text.length;
    const before = text.slice(0, offset).split("\n");
    return { message: stripPosition(message), line: before.length, column: before[before.length - 1].length + 1 };
  }
}

function stripPosition(message: string): string {
  return message.replace(/,? ?(in JSON )?at position \d+( \(line \d+ column \d+\))?/, "").trim();
}

/** Pretty-prints JSON text; returns it unchanged when it does not parse. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** "/a/b~1c" → ["a", "b/c"] (RFC 6901). */
export function pointerTokens(pointer: string): string[] {
  if (!pointer || pointer === "#") return [];
  return pointer
    .replace(/^#/, "")
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * The 0-based line range that the value at `pointer` occupies in `JSON.stringify(value, null, 2)`,
 * so errors can be highlighted where they are; undefined when the pointer does not resolve.
 */
export function pointerLines(value: unknown, pointer: string): { from: number; to: number } | undefined {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) {
    const lines = JSON.stringify(value, null, 2).split("\n").length;
    return { from: 0, to: lines - 1 };
  }
  let line = 0;
  let current: unknown = value;
  for (const token of tokens) {
    if (current === null || typeof current !== "object") return undefined;
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    line += 1; // the opening bracket's line
    let found = false;
    for (const [k, v] of entries) {
      if (k === token) {
        current = v;
        found = true;
        break;
      }
      line += JSON.stringify(v, null, 2).split("\n").length;
    }
    if (!found) return undefined;
  }
  const span = JSON.stringify(current, null, 2).split("\n").length;
  return { from: line, to: line + span - 1 };
}

export interface SchemaField {
  /** JSON pointer of the field in a payload, e.g. "/customer/email"; array items as "/items/*". */
  path: string;
  type: string;
  required: boolean;
  description: string;
  /** enum, format, bounds, pattern … as short "key: value" texts. */
  constraints: string[];
}

const CONSTRAINT_KEYS = [
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "const",
  "default",
] as const;

/** A JSON Schema's properties, depth first, as rows of a field table (the root first, as "/"). */
export function schemaFields(schema: unknown): SchemaField[] {
  const rows: SchemaField[] = [];
  walk(schema, "", true, rows, 0);
  return rows;
}

/** Deep enough for real payload schemas; stops a self-similar schema from running away. */
const MAX_DEPTH = 12;

function walk(node: unknown, path: string, required: boolean, rows: SchemaField[], depth: number) {
  if (!node || typeof node !== "object" || depth > MAX_DEPTH) return;
  const s = node as Record<string, unknown>;
  rows.push({
    path: path || "/",
    type: typeOf(s),
    required,
    description: typeof s.description === "string" ? s.description : "",
    constraints: constraintsOf(s),
  });
  const props = s.properties && typeof s.properties === "object" ? (s.properties as Record<string, unknown>) : {};
  const req = Array.isArray(s.required) ? (s.required as unknown[]).map(String) : [];
  for (const [name, child] of Object.entries(props)) {
    walk(child, `${path}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`, req.includes(name), rows, depth + 1);
  }
  if (s.items && typeof s.items === "object" && !Array.isArray(s.items))
    walk(s.items, `${path}/*`, false, rows, depth + 1);
}

function typeOf(s: Record<string, unknown>): string {
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (typeof s.type === "string") return s.type;
  if (s.$ref) return `$ref ${String(s.$ref)}`;
  for (const k of ["oneOf", "anyOf", "allOf"]) if (Array.isArray(s[k])) return k;
  if (s.enum) return "enum";
  return "any";
}

function constraintsOf(s: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`enum: ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  for (const k of CONSTRAINT_KEYS)
    if (k in s) out.push(`${k}: ${typeof s[k] === "string" ? s[k] : JSON.stringify(s[k])}`);
  if (s.additionalProperties === false) out.push("no additional properties");
  return out;
}
