/**
 * Payload deciders for the store's main thread: the first-error validators that validation workers
 * compile (store/schemas/validation.ts, deciderSource), loaded here from their standalone source —
 * a fraction of a millisecond, where compiling costs milliseconds per KB of schema. Each one counts
 * its steps against the main thread's StepBudget and throws OverBudget past it.
 */
import { createRequire } from "node:module";
import { instrumentSteps, StepBudget } from "./step-budget";
import { linearRegExp, RE2_MODULE } from "./validation";

/** Says whether a payload (parsed JSON) matches its schema, within the main thread's budget. */
export type Decider = (payload: unknown) => boolean;

/** The main thread's validation budget: armed around each inline validation (store/schemas/payload-checks.ts). */
export const mainThreadBudget = new StepBudget();

const BUDGET = "factlineBudget";
const STEP = `if(--${BUDGET}.steps<0)${BUDGET}.check();`;
const load = createRequire(import.meta.url);
// What ajv's standalone code requires: its runtime helpers, the formats, and the RE2 engine. Nothing
// else is handed to generated code.
const MODULES = new Set([
  "ajv/dist/runtime/equal",
  "ajv/dist/runtime/ucs2length",
  "ajv/dist/runtime/uri",
  "ajv/dist/runtime/validation_error",
  "ajv/dist/runtime/timestamp",
  "ajv-formats/dist/formats",
]);

function requireForDecider(name: string): unknown {
  if (name === RE2_MODULE) return linearRegExp;
  if (!MODULES.has(name)) throw new Error(`a standalone validator asked for ${name}, which the store does not provide`);
  return load(name);
}

/** Loads a decider from a worker's standalone source; throws when the source cannot be used inline. */
export function loadDecider(source: string): Decider {
  const module = { exports: {} as unknown };
  // The code is ajv's, generated from the schema in a validation worker: ajv writes schema values
  // only as JSON literals, as it does for the validators it evaluates itself.
  const factory = new Function("require", "module", "exports", BUDGET, instrumentSteps(source, STEP));
  factory(requireForDecider, module, module.exports, mainThreadBudget);
  const validate = module.exports;
  if (typeof validate !== "function") throw new Error("the standalone validator exports no function");
  return (payload) => validate(payload) === true;
}
