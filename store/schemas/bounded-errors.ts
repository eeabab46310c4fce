/**
 * Bounds the errors ajv's first-error validator (the decider, store/schemas/validation.ts) keeps.
 *
 * Why: stopping at the first error does not stop ajv from collecting errors inside `anyOf`,
 * `oneOf` and recursive `$ref`s — every failed branch's errors are kept, and a `$ref` call's errors
 * are concatenated into its caller's, until a branch passes and they are dropped. A schema
 * exponential for ajv (a recursive anyOf: tests/security/abuse-schemas.int.spec.ts) thus grows a
 * validation worker's heap by ~35 MB/s until its deadline: three such jobs took the store to 2.97 GB,
 * near-limit garbage collection and 7–11 s teardowns of the workers stopped at their deadline, which
 * is when a latestSerial probe went unanswered. With the bound, such a job only costs CPU until its
 * deadline, and its worker is stopped in well under a second.
 *
 * How: ajv's code keeps `vErrors` (the errors) and `errors` (their count) equal, and decides only by
 * comparing `errors` with counts it saved earlier. The rewritten code keeps counting every error in
 * `errors` but keeps only the first `max` in `vErrors`, which then always holds exactly the first
 * min(errors, max) errors: a push past the bound is skipped, a callee's errors are appended up to
 * it (counting at least one, as a failed callee has at least one), and a reset to a saved count
 * only shortens the list. Code that reads `vErrors[i]` by count (ajv's custom function keywords,
 * which the store does not add) or that this does not recognise is returned unchanged.
 */
const PUSH = /vErrors\.push\((err\d+)\);/g;
// addErrorsFrom in ajv's ref.js: `source` is a callee (validate3, wrapper0.validate, refVal2) or a
// caught ValidationError (e).
const CONCAT =
  /vErrors = vErrors === null \? ([\w$.]+)\.errors : vErrors\.concat\(\1\.errors\);errors = vErrors\.length;/g;
const RESET = /vErrors\.length = (_errs\d+);/g;

/** `code` (ajv's generated validator or a standalone module of it) keeping at most `max` errors. */
export function boundErrors(code: string, max: number): string {
  if (code.includes("vErrors[")) return code;
  const concats = code.split("vErrors.concat(").length - 1;
  let bounded = 0;
  const out = code
    .replace(PUSH, `if(vErrors.length<${max}){vErrors.push($1);}`)
    .replace(CONCAT, (_, source: string) => {
      bounded++;
      const errs = `${source}.errors`;
      return (
        `vErrors = vErrors === null ? ${errs} : vErrors.length<${max} ? ` +
        `vErrors.concat(${errs}.slice(0,${max}-vErrors.length)) : vErrors;` +
        `errors += ${errs}.length || 1;`
      );
    })
    .replace(RESET, "if(vErrors.length>$1){vErrors.length = $1;}");
  // An append this does not recognise would still set `errors` from the list's length.
  if (bounded !== concats || out.includes("errors = vErrors.length")) return code;
  return out;
}
