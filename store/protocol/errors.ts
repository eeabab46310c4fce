import { Code, ConnectError, encodeBinaryHeader, type HandlerContext } from "@connectrpc/connect";
import { databaseUnavailableMetadata } from "../../factcast/errors";
import type { DescService } from "@bufbuild/protobuf";
import {
  ConflictError,
  DatabaseUnavailableError,
  DuplicateFactError,
  FactValidationError,
  FilterScriptError,
  InvalidInputError,
  MissingTransformationError,
  NotFoundError,
  PermissionDeniedError,
  QueryTimeLimitError,
  ShuttingDownError,
  TransformationError,
  ValidationBudgetError,
} from "../errors";
import { isConnectionLoss, isQueryCancelled } from "../storage/db-errors";
import type { ServiceHandlers } from "../grpc/service";
import { callLogOf } from "../grpc/call-log";
import { internalError } from "../grpc/internal-error";
import { log, type Log } from "../log";

// FactCast's Java client rethrows the class named in `exc-bin` (with `msg-bin` as its message) and
// never retries it; a bare UNKNOWN would be retried up to 10 times. So every error a client caused
// carries either these trailers or a non-retryable status code.
const DUPLICATE = "org.factcast.core.DuplicateFactException";
const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";
const VALIDATION = "org.factcast.core.FactValidationException";
const TRANSFORMATION = "org.factcast.core.subscription.TransformationException";

function factcastError(message: string, javaClass: string): ConnectError {
  const trailers = new Headers();
  trailers.set("exc-bin", encodeBinaryHeader(javaClass));
  trailers.set("msg-bin", encodeBinaryHeader(message));
  return new ConnectError(message, Code.Unknown, trailers);
}

/** Maps anything thrown below the protocol layer to the status and trailers FactCast clients expect. */
export function toConnectError(err: unknown, rpc: string, callLog: Log = log): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof DuplicateFactError) return factcastError(err.message, DUPLICATE);
  if (err instanceof MissingTransformationError) return factcastError(err.message, MISSING_TRANSFORMATION);
  if (err instanceof FactValidationError) return factcastError(err.message, VALIDATION);
  if (err instanceof TransformationError) return factcastError(err.message, TRANSFORMATION);
  // The client's own script failed on a fact: retrying the same subscription would fail the same way.
  if (err instanceof FilterScriptError) return new ConnectError(err.message, Code.InvalidArgument);
  if (err instanceof InvalidInputError) return new ConnectError(err.message, Code.InvalidArgument);
  if (err instanceof NotFoundError) return new ConnectError(err.message, Code.NotFound);
  if (err instanceof ConflictError) return new ConnectError(err.message, Code.FailedPrecondition);
  if (err instanceof ShuttingDownError) return new ConnectError(err.message, Code.Unavailable);
  // The cause goes along for the audit trail's refusal listener (it files the refusal by namespace).
  if (err instanceof PermissionDeniedError)
    return new ConnectError(err.message, Code.PermissionDenied, undefined, undefined, err);
  // Retryable by FactCast's client; the database's outage is logged once by store/storage/health.ts.
  // Marked, unless this instance is merely busy, so the console can say the database is unavailable.
  if (err instanceof DatabaseUnavailableError) {
    return new ConnectError(err.message, Code.Unavailable, err.overloaded ? undefined : databaseUnavailableMetadata());
  }
  if (err instanceof QueryTimeLimitError) return new ConnectError(err.message, Code.ResourceExhausted);
  // Not retried by FactCast's client: the same payload would break the same limit.
  if (err instanceof ValidationBudgetError) return new ConnectError(err.message, Code.ResourceExhausted);
  if (isAbort(err)) return new ConnectError("cancelled by the client", Code.Canceled);
  if (isConnectionLoss(err)) {
    return new ConnectError(
      "the store lost its connection to the database; retry shortly",
      Code.Unavailable,
      databaseUnavailableMetadata(),
    );
  }
  const message = (err as Error)?.message ?? String(err);
  if (isQueryCancelled(err)) {
    // statement_timeout (store/storage/db.ts): the server is overloaded or a lock is held too long.
    callLog.warn("a statement ran past its time limit", { rpc, error: message });
    return new ConnectError(`the database did not answer ${rpc} in time; retry shortly`, Code.Unavailable);
  }
  // Ours, not the caller's: the cause goes to the log, the caller gets an id to quote.
  return internalError(err, rpc, callLog);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}

/**
 * The same stream with its errors mapped. Not a wrapping generator: `yield*` in an async generator
 * costs a round of promise hops per message, which a live subscription pays for every fact.
 */
function mapStreamErrors<T>(source: AsyncGenerator<T>, rpc: string, callLog: Log): AsyncGenerator<T> {
  const mapped = (err: unknown): never => {
    throw toConnectError(err, rpc, callLog);
  };
  const stream: AsyncGenerator<T> = {
    next: (...args) => source.next(...args).catch(mapped),
    return: (value) => source.return(value).catch(mapped),
    throw: (err) => source.throw(err).catch(mapped),
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

/** Wraps every handler of a service so that errors leave through toConnectError, whatever their origin. */
export function guarded<S extends DescService>(service: string, impl: ServiceHandlers<S>): ServiceHandlers<S> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(impl) as Array<[string, (...args: unknown[]) => unknown]>) {
    const rpc = `${service}.${name}`;
    if (handler.constructor.name === "AsyncGeneratorFunction") {
      wrapped[name] = (...args: unknown[]) =>
        mapStreamErrors(handler(...args) as AsyncGenerator, rpc, callLogOf(args[1] as HandlerContext));
    } else {
      wrapped[name] = async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          throw toConnectError(err, rpc, callLogOf(args[1] as HandlerContext));
        }
      };
    }
  }
  return wrapped as ServiceHandlers<S>;
}
