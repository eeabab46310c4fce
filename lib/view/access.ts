/**
 * What the console offers a user, from what the store said they may do (the console's
 * AccessService, proto/factline/console/v1/access.proto). Pure, for pages and their tests.
 *
 * Three states: the store's answer is still on its way (offer nothing that needs a permission yet,
 * so controls do not appear and vanish), the store cannot tell (a plain FactCast server: offer
 * everything, the store decides per call), or the store's verdicts. Hiding is for comfort only:
 * every call the console makes is decided by the store again.
 */
import type { NamespaceAccess } from "../../gen/factline/admin/v1/access_pb";
import type { GetAccessResponse } from "../../gen/factline/console/v1/access_pb";

/** Whether a namespace is readable: true, false, or undefined when the console cannot know. */
export function readVerdict(access: GetAccessResponse | undefined, ns: string): boolean | undefined {
  const a = access?.known ? access.access : undefined;
  if (!a) return undefined;
  const listed = find(a.namespaces, ns);
  if (listed) return listed.read;
  // Not listed: absent from the store, or not usable at all; only an account that reads every
  // namespace is sure to read it.
  return a.anyNamespace?.read ? true : undefined;
}

/** Offer registering, replacing (and the register page) for `ns`, or for some namespace when none is given. */
export function offerSchemaChanges(access: GetAccessResponse | undefined, ns?: string): boolean {
  if (!access) return false;
  if (!access.known || !access.access) return true;
  const a = access.access;
  if (a.anyNamespace?.manageSchemas) return true;
  if (ns === undefined || ns === "")
    return a.namespaces.some((n) => n.manageSchemas) || (a.schemas?.include.length ?? 0) > 0;
  const listed = find(a.namespaces, ns);
  // A namespace the store has not judged (no facts or schemas yet) may still match a pattern: let
  // the user try, and the store say.
  return listed ? listed.manageSchemas : (a.schemas?.include.length ?? 0) > 0;
}

/** The audit log's link and page: only for accounts the store says may read it. */
export function offerAudit(access: GetAccessResponse | undefined): boolean {
  return access?.known === true && access.access?.readAudit === true;
}

/**
 * When "every namespace" means fewer for this user (they may not read "*"): the namespaces it
 * stands for, sorted. Undefined when it means all of them, or nobody knows.
 */
export function readableScope(access: GetAccessResponse | undefined): string[] | undefined {
  const a = access?.known ? access.access : undefined;
  if (!a || a.anyNamespace?.read) return undefined;
  return a.namespaces
    .filter((n) => n.read)
    .map((n) => n.ns)
    .sort();
}

/** "shop*, billing (except billing-hr)": an account's read grants as the access file writes them. */
export function describeReadGrants(access: GetAccessResponse | undefined): string | undefined {
  const read = access?.known ? access.access?.read : undefined;
  if (!read || read.include.length === 0) return undefined;
  const excluded = read.exclude.length > 0 ? ` (except ${read.exclude.join(", ")})` : "";
  return `${read.include.join(", ")}${excluded}`;
}

function find(list: NamespaceAccess[], ns: string): NamespaceAccess | undefined {
  return list.find((n) => n.ns === ns);
}
