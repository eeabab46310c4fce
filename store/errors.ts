// Domain errors of the store. The protocol adapter (store/protocol/errors.ts) maps each to the
// status code and trailers a FactCast client expects; nothing below the adapter knows about gRPC.

/** The caller sent something malformed; the message says what to fix. Never retried by clients. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
}

/** A fact id already exists in the store, or twice in one publish. */
export class DuplicateFactError extends Error {
  override name = "DuplicateFactError";
  constructor(readonly ids: string[]) {
    super(
      `duplicate fact id${ids.length > 1 ? "s" : ""}: ${ids.join(", ")} (already in the store or twice in this publish); nothing was published`,
    );
  }
}

/** Something the caller referred to does not exist (e.g. subscribe startingAfter an unknown id). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A consumer asked for a fact version that no chain of registered transformations reaches. */
export class MissingTransformationError extends Error {
  override name = "MissingTransformationError";
}

/**
 * A transformation failed on a fact: its script threw, broke a sandbox limit, or produced a payload
 * the target version's schema rejects. The message names the fact, the step and the error.
 */
export class TransformationError extends Error {
  override name = "TransformationError";
}

/**
 * A subscription's filter script failed on a fact (threw, broke a sandbox limit, or answered
 * something other than true or false): that subscription ends, nothing else does.
 */
export class FilterScriptError extends Error {
  override name = "FilterScriptError";
}

/** The store is shutting down; clients should reconnect (to this or another instance). */
export class ShuttingDownError extends Error {
  override name = "ShuttingDownError";
  constructor() {
    super("the store is shutting down; reconnect");
  }
}

/** Facts of a publish failed schema validation; nothing was written. */
export class FactValidationError extends Error {
  override name = "FactValidationError";
  constructor(readonly problems: string[]) {
    super(validationMessage(problems));
  }
}

// FactCast lists at most 25 validation errors in its FactValidationException.
const MAX_LISTED_PROBLEMS = 25;

function validationMessage(problems: string[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length - listed.length;
  return [...listed, ...(more > 0 ? [`… ${more} more`] : [])].join("\n");
}

/**
 * A payload or schema took more time or memory to validate than the store allows one (its worker
 * was stopped); the same request would again. The message names it and says what to change.
 */
export class ValidationBudgetError extends Error {
  override name = "ValidationBudgetError";
}

/** The request contradicts the store's state, e.g. re-registering a version with another schema. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** The authenticated caller may not do this (its roles in the access file); nothing was done. */
export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
  /** The namespace refused, so the audit trail can file the refusal under it (store/audit/refusals.ts). */
  constructor(
    message: string,
    readonly ns?: string,
  ) {
    super(message);
  }
}

/**
 * The store cannot do this now — PostgreSQL is unreachable, or this instance is saturated — and a
 * retry shortly (to this or another instance) may succeed. FactCast clients retry UNAVAILABLE.
 */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  /** Busy rather than unreachable: the database answers, this instance has no capacity left. */
  readonly overloaded: boolean;
  /**
   * A publish whose commit was sent when the connection broke: it may or may not be stored. Publishing
   * the same facts again is safe (an identical re-publish succeeds, see store/storage/append.ts).
   */
  readonly outcomeUnknown: boolean;
  constructor(message: string, options: { cause?: unknown; overloaded?: boolean; outcomeUnknown?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.overloaded = options.overloaded ?? false;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/** A read ran past the time the store allows one (it was cancelled in the database). */
export class QueryTimeLimitError extends Error {
  override name = "QueryTimeLimitError";
  constructor(
    readonly what: string,
    readonly limitMs: number,
  ) {
    super(
      `${what} ran longer than ${limitMs / 1000} s and was stopped; narrow the FactSpec (ns, type and aggIds are served by an index; metaKeyExists and aggIdProperties are not)`,
    );
  }
}
