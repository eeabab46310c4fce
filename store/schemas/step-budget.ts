/**
 * A time budget for validation code running on the store's main thread. JavaScript cannot interrupt
 * a running function, so the budget is checked by the validator itself: ajv's generated code is
 * rewritten to count a step at the start of every function and every loop iteration, and every
 * CHECK_EVERY steps to compare the clock with the deadline. Every unbounded amount of work in a
 * validator is a loop or a call (a recursive $ref, anyOf over recursive branches, uniqueItems'
 * pairwise comparison), so a validator past its budget throws OverBudget within CHECK_EVERY steps,
 * and the caller hands the payload to a validation worker (store/schemas/validation-pool.ts).
 */

// Steps between two looks at the clock: performance.now() costs ~50 ns, a step a few ns, and 256
// steps of even a large schema's code take microseconds, far inside any budget.
const CHECK_EVERY = 256;

/** Thrown by an instrumented validator that ran past its budget; nothing it decided is kept. */
export class OverBudget extends Error {
  override name = "OverBudget";
}

const OVER = new OverBudget("validation ran past its time budget on the main thread");

/** The budget instrumented code counts against: one per thread, armed around each validation. */
export class StepBudget {
  /** Counted down by the instrumented code; at zero it calls check(). */
  steps = CHECK_EVERY;
  private deadline = Infinity;

  /** Called by instrumented code every CHECK_EVERY steps. */
  check(): void {
    this.steps = CHECK_EVERY;
    if (performance.now() > this.deadline) throw OVER;
  }

  /** Runs `work` with `ms` to spend; throws OverBudget when it needs more. */
  within<T>(ms: number, work: () => T): T {
    this.steps = CHECK_EVERY;
    this.deadline = performance.now() + ms;
    try {
      return work();
    } finally {
      this.deadline = Infinity;
    }
  }
}

/**
 * Inserts `step` (a statement) at the start of every function body and every `for` loop body of
 * `code`, which must be ajv's generated JavaScript: string literals, template literals and block
 * comments are skipped (a schema's property names and $id land in them), and ajv emits no line
 * comments, no regular expression literal holding a quote, and braces around every loop body.
 * Throws when it meets code it does not understand, so that such a validator is not used inline.
 */
export function instrumentSteps(code: string, step: string): string {
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") {
      i = afterString(code, i);
      continue;
    }
    if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) throw new Error("an unterminated comment in generated code");
      i = end + 2;
      continue;
    }
    const keyword = keywordAt(code, i);
    if (keyword === undefined) {
      i++;
      continue;
    }
    const open = code.indexOf("(", i + keyword.length);
    if (open < 0) throw new Error(`${keyword} without a parameter list in generated code`);
    const close = matchingParen(code, open);
    if (code[close + 1] !== "{") throw new Error(`${keyword}(…) without a braced body in generated code`);
    parts.push(code.slice(copied, close + 2), step);
    copied = close + 2;
    i = close + 2;
  }
  parts.push(code.slice(copied));
  return parts.join("");
}

const IDENTIFIER = /[A-Za-z0-9_$]/;

/** "for" or "function" when one starts at `i` as a keyword (not inside a longer identifier). */
function keywordAt(code: string, i: number): "for" | "function" | undefined {
  if (i > 0 && IDENTIFIER.test(code[i - 1])) return undefined;
  if (code.startsWith("for(", i)) return "for";
  if (code.startsWith("function", i) && !IDENTIFIER.test(code[i + 8] ?? "")) return "function";
  return undefined;
}

function afterString(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === "\\") i++;
    else if (code[i] === quote) return i + 1;
    else if (quote === "`" && code[i] === "$" && code[i + 1] === "{") {
      throw new Error("a template literal with a substitution in generated code");
    }
  }
  throw new Error("an unterminated string in generated code");
}

function matchingParen(code: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") {
      i = afterString(code, i);
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
    i++;
  }
  throw new Error("an unbalanced parenthesis in generated code");
}
