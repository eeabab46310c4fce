/**
 * The programs the sandbox compiles around user scripts, with FactCast's semantics:
 * - a transformation is a function that changes its argument, the payload object, in place; its
 *   return value is ignored (FactCast: `function (e) { var wrapped = <code>; wrapped(e); return e; }`);
 *   a chain applies its steps in order to the same object (FactCast's TransformationChain);
 * - a filter script is `function (header, payload) { return … }`, possibly named (FactCast:
 *   `function (h, p) { var fn = <source>; return fn(h, p); }`); a fact is delivered when it returns
 *   true. FactCast's GraalJS insists on a boolean; so does factline, naming what came back instead.
 * Each program's wrapper evaluates to { install, load, run, where } (store/sandbox/engine.ts): the
 * batch is parsed once inside the sandbox, then run through in as few calls as the time limit allows.
 */
import { createHash } from "node:crypto";

/** A stable cache key for a program: engines keep compiled programs by it. */
export function programKey(kind: string, parts: readonly string[]): string {
  const hash = createHash("sha256");
  hash.update(kind);
  for (const part of parts) hash.update(`\u0000${part.length}\u0000${part}`);
  return hash.digest("base64url");
}

/**
 * Script text as one expression: FactCast puts it after `var x =`, so a trailing semicolon (common
 * in transform.js files) would be a syntax error there; here it is tolerated. Newlines keep a line
 * comment at the end from swallowing the wrapper's closing parenthesis.
 */
function asExpression(source: string): string {
  return `(\n${source.trimEnd().replace(/;+\s*$/, "")}\n)`;
}

/**
 * A program is two scripts evaluated one after the other in a fresh context: the wrapper first
 * (it takes its own references to JSON.parse and JSON.stringify before any user code runs, so a
 * script may replace the globals of its context but never what the host reads results with), then
 * the user's code as a separate global script (so it cannot see the wrapper's variables, such as the
 * rest of the batch). The wrapper's install() receives what the user's script evaluated to.
 */
export interface Program {
  wrapper: string;
  user: string;
  /** The line of `user` on which each part's source (each step, or the filter) begins: 1-based. */
  starts: number[];
}

/** User sources as one array literal (or one expression), with the line each source begins on. */
function userScript(sources: readonly string[], asArray: boolean): { user: string; starts: number[] } {
  const starts: number[] = [];
  let user = asArray ? "[" : "";
  let line = 1;
  sources.forEach((source, i) => {
    const part = (i > 0 ? ",\n" : "") + asExpression(source);
    const before = part.slice(0, part.indexOf("(") + 2);
    line += newlines(before);
    starts.push(line);
    line += newlines(part.slice(before.length));
    user += part;
  });
  return { user: user + (asArray ? "]" : ""), starts };
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

// Shared by both wrappers. run(from, budgetMs) works through the loaded batch from item `from` and
// returns "<count>\n<results>", stopping early once it has run for budgetMs (so the host can renew
// the time limit; see store/sandbox/engine.ts). where() tells which item and step were running.
// isPromise(): the engine never runs pending jobs, so whatever an async script does after its first
// await would silently never happen; a Promise in place of a result is refused by name instead.
const PRELUDE = `var parse = JSON.parse, stringify = JSON.stringify, now = Date.now;
  var batch = null, index = -1, current = -1;
  function load(text) { batch = text === null ? null : parse(text); return batch === null ? 0 : batch.length; }
  function where() { return index + " " + current; }
  var OwnPromise = Promise;
  function isPromise(value) {
    return value instanceof OwnPromise || (value !== null && typeof value === "object" && typeof value.then === "function");
  }`;

/**
 * The program for a chain of transformation steps (codes in order; steps without code are left out
 * by the caller, as FactCast does). Results are payload JSON texts, one per line (JSON.stringify
 * never writes a raw line break). where()'s step is 0-based; -1 while serializing the result.
 */
export function transformationProgram(codes: readonly string[]): Program {
  const wrapper = `(function () {
  ${PRELUDE}
  var steps = [];
  function install(given) {
    for (var s = 0; s < given.length; s++) {
      if (typeof given[s] !== "function") {
        current = s;
        throw new TypeError("the transformation is not a function; write function (e) { … } that changes e in place");
      }
    }
    steps = given;
  }
  function run(from, budget) {
    var started = now(), out = [];
    for (index = from; index < batch.length; index++) {
      if (out.length > 0 && now() - started > budget) break;
      var e = batch[index];
      batch[index] = undefined;
      for (current = 0; current < steps.length; current++) {
        if (isPromise(steps[current](e))) {
          throw new TypeError("the transformation returned a Promise: it must change e in place before it returns (no async function, no await)");
        }
      }
      current = -1;
      var text = stringify(e);
      if (typeof text !== "string") throw new TypeError("the transformed payload cannot be written as JSON");
      out.push(text);
    }
    return out.length + "\\n" + out.join("\\n");
  }
  return { install: install, load: load, run: run, where: where };
})()`;
  return { wrapper, ...userScript(codes, true) };
}

/** The program for a filter script; results are one character per item, "1" (true) or "0" (false). */
export function filterProgram(source: string): Program {
  const wrapper = `(function () {
  ${PRELUDE}
  var fn = null;
  function install(given) {
    if (typeof given !== "function") {
      throw new TypeError("the filter script is not a function; write function (header, payload) { return true or false }");
    }
    fn = given;
  }
  function describe(value) {
    if (value === null) return "null";
    if (typeof value === "string") return "the string " + stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
    if (isPromise(value)) return "a Promise (no async function, no await: return true or false directly)";
    if (typeof value === "object") return "an object";
    return typeof value === "undefined" ? "nothing (undefined)" : typeof value + " " + String(value);
  }
  function run(from, budget) {
    var started = now(), out = [];
    for (index = from; index < batch.length; index++) {
      if (out.length > 0 && now() - started > budget) break;
      var item = batch[index];
      batch[index] = undefined;
      current = 0;
      var result = fn(item[0], item[1]);
      current = -1;
      if (result !== true && result !== false) {
        throw new TypeError("the filter script returned " + describe(result) + "; it must return true or false");
      }
      out.push(result ? "1" : "0");
    }
    return out.length + "\\n" + out.join("");
  }
  return { install: install, load: load, run: run, where: where };
})()`;
  return { wrapper, ...userScript([source], false) };
}
