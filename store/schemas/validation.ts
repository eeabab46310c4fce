import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

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

/**
 * Compiles a JSON Schema into a payload validator, or throws SchemaCompileError listing what is
 * wrong with the schema (meta-schema violations located by pointer, unresolvable $refs, bad patterns).
 * Each schema gets its own engine instance so that two schemas sharing an $id never collide.
 */
export function compileSchema(schema: unknown): PayloadValidator {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    if (typeof schema !== "boolean")
      throw new SchemaCompileError([{ pointer: "", message: "a JSON Schema must be an object (or true/false)" }]);
  }
  const Engine = engineFor(schema);
  // strict off: registries carry vendor keywords (javaType, …) that must not make a schema invalid.
  const ajv = new Engine({ allErrors: true, strict: false });
  addFormats(ajv as unknown as Ajv);
  if (!ajv.validateSchema(schema as object)) {
    throw new SchemaCompileError(
      (ajv.errors ?? []).map((e) => ({
        pointer: e.instancePath,
        message: `${e.message ?? "invalid"}${paramsText(e)}`,
      })),
    );
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema as object);
  } catch (err) {
    throw new SchemaCompileError([{ pointer: "", message: (err as Error).message }]);
  }
  return (payload) => (validate(payload) ? [] : (validate.errors ?? []).map(toPayloadError));
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
