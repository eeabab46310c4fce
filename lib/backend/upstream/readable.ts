// "Everything I may see" in FactCast's terms. A FactSpec for every namespace (ns "*") needs read on
// "*", so a user who may read only some namespaces (an operator with `shop*`) is refused it, as
// FactCast refuses it. Views that mean "everything this user may see" — /live alone, an export of
// an unfiltered query — ask the store which namespaces those are and name them instead. The store
// still checks every spec; this only turns a request it would refuse into the one the user meant.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { FactFilterSchema, type FactFilter } from "../../../gen/factline/console/v1/console_pb";
import { isUnimplemented } from "./capabilities";
import { consoleError } from "./errors";
import { UNARY_TIMEOUT_MS, type Upstream } from "./upstream";

/**
 * One spec per readable namespace (and type) goes upstream; past this many namespaces a "*"-wide
 * view is no longer a reasonable subscription, and the user is asked to name the namespaces.
 */
export const MAX_SCOPED_NAMESPACES = 500;

/** A filter for every namespace: no filter at all, or one whose ns is empty or "*". */
function isWide(filter: FactFilter): boolean {
  const ns = filter.ns.trim();
  return ns === "" || ns === "*";
}

export interface ReadableScope {
  filters: FactFilter[];
  /** Set when "every namespace" was narrowed: the namespaces the user may read, sorted. */
  namespaces?: string[];
}

/**
 * `filters` as the caller may read them. Unchanged when no filter is wide, when the user may read
 * every namespace, or when the store cannot say (a plain FactCast server: its own rules apply).
 */
export async function readableScope(
  upstream: Upstream,
  filters: FactFilter[],
  signal?: AbortSignal,
): Promise<ReadableScope> {
  const given = filters.length > 0 ? filters : [create(FactFilterSchema)];
  if (!given.some(isWide)) return { filters };
  let access;
  try {
    access = await upstream.access.getAccess({}, { timeoutMs: UNARY_TIMEOUT_MS, signal });
  } catch (err) {
    if (isUnimplemented(err)) return { filters };
    throw err;
  }
  if (access.anyNamespace?.read) return { filters };
  const namespaces = access.namespaces
    .filter((n) => n.read)
    .map((n) => n.ns)
    .sort();
  if (namespaces.length === 0) {
    throw consoleError(
      `account "${access.account}" may not read any namespace of this store, so there is nothing to show: ` +
        "ask the store's operator for a role that reads the namespaces you need",
      Code.PermissionDenied,
    );
  }
  if (namespaces.length > MAX_SCOPED_NAMESPACES) {
    throw consoleError(
      `account "${access.account}" may read ${namespaces.length} namespaces but not every namespace ("*"); ` +
        `more than ${MAX_SCOPED_NAMESPACES} cannot be watched or exported at once: name the namespaces you need`,
      Code.FailedPrecondition,
    );
  }
  const scoped = given.flatMap((f) =>
    isWide(f) ? namespaces.map((ns) => create(FactFilterSchema, { ...f, ns })) : [f],
  );
  return { filters: scoped, namespaces };
}
