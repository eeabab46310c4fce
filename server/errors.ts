// Domain errors of the store. The protocol adapter (server/protocol/errors.ts) maps each to the
// status code and trailers a FactCast client expects; nothing below the adapter knows about gRPC.

/** The caller sent something malformed; the message says what to fix. Never retried by clients. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
}

/** A fact id already exists in the store, or twice in one publish. */
export class DuplicateFactError extends Error {
  override name = "DuplicateFactError";
  constructor(readonly ids: string[]) {
    super(`duplicate fact id${ids.length > 1 ? "s" : ""}: ${ids.join(", ")} (already in the store or twice in this publish); nothing was published`);
  }
}

/** Something the caller referred to does not exist (e.g. subscribe startingAfter an unknown id). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A consumer asked for a fact version that only a transformation could produce; this store has none. */
export class MissingTransformationError extends Error {
  override name = "MissingTransformationError";
}

/** The store is shutting down; clients should reconnect (to this or another instance). */
export class ShuttingDownError extends Error {
  override name = "ShuttingDownError";
  constructor() {
    super("the store is shutting down; reconnect");
  }
}
