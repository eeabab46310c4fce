// The checks handlers make before they do anything, at FactCast's enforcement points (README
// "Security"). The caller is told which namespace and which permission, so the access file can be
// fixed; each denial is logged, as FactCast logs it, by the gRPC layer with the call's request id,
// client and account (store/grpc/call.ts).
import { PermissionDeniedError } from "../errors";
import type { Principal } from "./principal";

type Action = "read" | "write" | "manage schemas of";

function deny(principal: Principal, action: Action, ns: string): never {
  const detail =
    ns === "*" && action === "read"
      ? `every namespace ("*"): that needs a role including "*" and no read excludes; name the namespaces instead`
      : `namespace "${ns}"`;
  throw new PermissionDeniedError(
    `account "${principal.account}" may not ${action} ${detail}`,
    ns === "*" ? undefined : ns,
  );
}

/** Read on every namespace (FactCast: subscribe, stateFor*, enumerateTypes/Versions, fetchBy*). */
export function requireRead(principal: Principal, namespaces: Iterable<string>): void {
  for (const ns of new Set(namespaces)) if (!principal.mayRead(ns)) deny(principal, "read", ns);
}

/** Write on every namespace of a batch (FactCast: publish, publishConditional). */
export function requireWrite(principal: Principal, namespaces: Iterable<string>): void {
  for (const ns of new Set(namespaces)) if (!principal.mayWrite(ns)) deny(principal, "write", ns);
}

/** factline's "schemas" permission: register, replace, delete, import. */
export function requireSchemas(principal: Principal, namespaces: Iterable<string>): void {
  for (const ns of new Set(namespaces)) if (!principal.mayManageSchemas(ns)) deny(principal, "manage schemas of", ns);
}

/** factline's "audit" permission. */
export function requireAudit(principal: Principal): void {
  if (principal.mayReadAudit) return;
  throw new PermissionDeniedError(
    `account "${principal.account}" may not read the audit log (a role needs "audit": true)`,
  );
}

/** factline's "operate" permission: /metrics, every subscription and instance, ending subscriptions. */
export function requireOperate(principal: Principal, what: string): void {
  if (principal.mayOperate) return;
  throw new PermissionDeniedError(`account "${principal.account}" may not ${what} (a role needs "operate": true)`);
}
