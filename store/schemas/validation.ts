import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import standaloneCode from "ajv/dist/standalone";
import { RE2JS } from "re2js";
import { boundErrors } from "./bounded-errors";

/** One validation failure, located by JSON pointers into the payload and the schema. */
export interface PayloadError {
  pointer: string;
  message: string;
  keyword: string;
  schemaPath: string;
}

export interface SchemaProblem {
  pointer: string;
  message: string;
}

export type PayloadValidator = (payload: unknown) => PayloadError[];

type AjvClass = typeof Ajv | typeof Ajv2019 | typeof Ajv2020 | typeof AjvDraft04;

// The JSON Schema dialect follows `$schema`; draft-07 (FactCast's default) when absent. Draft-04
// is accepted because FactCast's own registry tool writes schemas of that era.
const DIALECTS: Array<{ test: RegExp; engine: AjvClass; name: string }> = [
  { test: /draft-04/, engine: AjvDraft04, name: "draft-04" },
  { test: /draft-0[67]/, engine: Ajv, name: "draft-07" },
  { test: /2019-09/, engine: Ajv2019, name: "2019-09" },
  { test: /2020-12/, engine: Ajv2020, name: "2020-12" },
];

function engineFor(schema: unknown): AjvClass {
  const declared =
    typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  if (declared === undefined) return Ajv;
  const dialect = typeof declared === "string" ? DIALECTS.find((d) => d.test.test(declared)) : undefined;
  if (!dialect) {
    throw new SchemaCompileError([
      {
        pointer: "/$schema",
        message: `unsupported $schema ${JSON.stringify(declared)}; use draft-04, draft-07, 2019-09 or 2020-12 (or leave it out for draft-07)`,
      },
    ]);
  }
  return dialect.engine;
}

export class SchemaCompileError extends Error {
  override name = "SchemaCompileError";
  constructor(readonly problems: SchemaProblem[]) {
    super(problems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; "));
  }
}

// Errors listed per payload at most. ajv has no such bound: its allErrors mode builds one error object
// per failing item, so a 40 MiB array of numbers against {"items":{"type":"string"}} would build 20
// million of them (measured: 1 million take 0.5 s and 170 MB). The all-errors pass stops here instead.
export const MAX_PAYLOAD_ERRORS = 100;
const TOO_MANY = "factline: too many validation errors";
/** The module name standalone validators require the RE2 engine by (store/schemas/decider.ts). */
export const RE2_MODULE = "factline:re2";

/**
 * ajv's regular-expression engine for `pattern` and `patternProperties`: RE2 (re2js, pure
 * JavaScript), which matches in time linear in the input whatever the pattern, so a schema's
 * {"pattern": "^(a+)+$"} cannot stall the store on "aaaa…!" as a backtracking engine would (25
 * characters took 3.3 s with JavaScript's RegExp, 40 take 2 ms with RE2). RE2 has no lookaround
 * and no backreferences; a pattern using them is refused when the schema is compiled. `code` is
 * how a standalone validator names it (store/schemas/decider.ts provides that module).
 */
export const linearRegExp = Object.assign(
  (pattern: string, flags: string) => {
    let re: RE2JS;
    try {
      re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch (err) {
      throw new Error(
        `pattern ${JSON.stringify(pattern)} cannot be used: ${(err as Error).message}; the store matches patterns in linear time (RE2 syntax: no lookahead, lookbehind or backreferences)`,
      );
    }
    // ajv keys compiled patterns by toString(): each must name its own pattern.
    return { test: (text: string) => re.test(text), toString: () => `/${pattern}/${flags}` };
  },
  { code: `require(${JSON.stringify(RE2_MODULE)})` },
);

/** A compiled schema: the validator listing errors, and the source of its deciding half. */
export interface CompiledSchema {
  validate: PayloadValidator;
  /** Whether the payload matches, without listing errors. */
  decide(payload: unknown): boolean;
  /**
   * A CommonJS module exporting the first-error validator, for store/schemas/decider.ts to run on
   * the main thread without compiling there; undefined when ajv cannot write this schema standalone.
   */
  deciderSource(): string | undefined;
}

/**
 * Compiles a JSON Schema into a payload validator, or throws SchemaCompileError listing what is
 * wrong with the schema (meta-schema violations located by pointer, unresolvable $refs, bad patterns).
 */
export function compileSchema(schema: unknown): PayloadValidator {
  return compile(schema).validate;
}

/**
 * compileSchema, keeping what the main thread needs to decide payloads itself. Compiling costs
 * ~1–3 ms per KB of schema (ajv writes and evaluates code; measured in store/schemas), so the store
 * compiles in its validation workers only (store/schemas/validation-worker.ts). Each schema gets its
 * own engine instance so that two schemas sharing an $id never collide.
 */
export function compile(schema: unknown): CompiledSchema {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    if (typeof schema !== "boolean")
      throw new SchemaCompileError([{ pointer: "", message: "a JSON Schema must be an object (or true/false)" }]);
  }
  const Engine = engineFor(schema);
  const meta = metaValidator(Engine);
  if (!meta.validateSchema(schema as object)) {
    throw new SchemaCompileError(
      (meta.errors ?? []).map((e) => ({
        pointer: e.instancePath,
        message: `${e.message ?? "invalid"}${paramsText(e)}`,
      })),
    );
  }
  // strict off: registries carry vendor keywords (javaType, …) that must not make a schema invalid.
  // Two validators: one that stops at the first error decides, and only for a payload it rejects
  // does the one listing errors run, stopping after MAX_PAYLOAD_ERRORS (code.process inserts the
  // check where ajv's generated code counts an error, before the next one is built).
  // The decider keeps as many errors as a list shows (store/schemas/bounded-errors.ts says why).
  const first = new Engine({
    allErrors: false,
    strict: false,
    validateSchema: false,
    code: { source: true, regExp: linearRegExp, process: keepFewErrors },
  });
  addFormats(first as unknown as Ajv);
  let decide: ValidateFunction;
  try {
    decide = first.compile(schema as object);
  } catch (err) {
    throw new SchemaCompileError([{ pointer: "", message: compileFailure(err as Error) }]);
  }
  // The validator that lists errors is compiled when a payload first fails (most schemas' payloads never do).
  let validate: ValidateFunction | undefined;
  const listing = () => {
    const ajv = new Engine({
      allErrors: true,
      strict: false,
      validateSchema: false,
      code: { regExp: linearRegExp, process: capErrors },
    });
    addFormats(ajv as unknown as Ajv);
    return ajv.compile(schema as object);
  };
  const validator: PayloadValidator = (payload) => {
    if (decide(payload)) return [];
    validate ??= listing();
    try {
      if (!validate(payload)) return (validate.errors ?? []).map(toPayloadError);
    } catch (err) {
      if (!(err instanceof RangeError && err.message === TOO_MANY)) throw err;
    }
    // More than MAX_PAYLOAD_ERRORS: the first one, and a note that more were left out.
    const listed = (decide.errors ?? []).map(toPayloadError);
    return [
      ...listed,
      {
        pointer: "",
        keyword: "maxErrors",
        schemaPath: "#",
        message: `has more than ${MAX_PAYLOAD_ERRORS} validation errors; the first is listed, fix it and validate again`,
      },
    ];
  };
  return {
    validate: validator,
    decide: (payload) => decide(payload) === true,
    deciderSource: () => {
      try {
        // ajv writes the module from the code before code.process: bound it again.
        return keepFewErrors(standaloneCode(first as unknown as Ajv, decide));
      } catch {
        // A keyword or format without standalone code: this schema is decided in a worker only.
        return undefined;
      }
    },
  };
}

/** What ajv's compile error says, in words for a schema author. */
function compileFailure(err: Error): string {
  // ajv nests the generated code one level per property: V8 cannot compile that for a few thousand.
  if (err instanceof RangeError && /call stack/.test(err.message))
    return "the schema is too large or too deeply nested to compile; split it into smaller schemas";
  return err.message;
}

// One engine per dialect checks schemas against the dialect's meta-schema: compiling the
// meta-schema costs ~20 ms, once per engine instance, too much to pay for every schema compiled.
const metaValidators = new Map<AjvClass, Ajv>();

function metaValidator(Engine: AjvClass): Ajv {
  let meta = metaValidators.get(Engine);
  if (!meta) {
    meta = new Engine({ allErrors: true, strict: false }) as unknown as Ajv;
    addFormats(meta);
    metaValidators.set(Engine, meta);
  }
  return meta;
}

function keepFewErrors(code: string): string {
  return boundErrors(code, MAX_PAYLOAD_ERRORS);
}

/** Makes ajv's generated validation code stop once it has counted MAX_PAYLOAD_ERRORS errors. */
function capErrors(code: string): string {
  return code.replaceAll(
    "errors++;",
    `if(++errors>${MAX_PAYLOAD_ERRORS}){throw new RangeError(${JSON.stringify(TOO_MANY)});}`,
  );
}

function toPayloadError(e: ErrorObject): PayloadError {
  // Point at the missing or unexpected property itself, not at its parent object.
  const child =
    e.keyword === "required"
      ? (e.params as { missingProperty: string }).missingProperty
      : e.keyword === "additionalProperties"
        ? (e.params as { additionalProperty: string }).additionalProperty
        : undefined;
  const pointer = child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`;
  return {
    pointer,
    message: `${e.message ?? "is invalid"}${paramsText(e)}`,
    keyword: e.keyword,
    schemaPath: e.schemaPath,
  };
}

function paramsText(e: ErrorObject): string {
  if (e.keyword === "enum") return `: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  if (e.keyword === "additionalProperties")
    return ` (${(e.params as { additionalProperty: string }).additionalProperty})`;
  return "";
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
