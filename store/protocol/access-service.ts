import type { HandlerContext } from "@connectrpc/connect";
import { AccessService } from "../../gen/factline/admin/v1/access_pb";
import { principalOf, type Principal } from "../auth/principal";
import type { PatternRules } from "../auth/rules";
import { recordAudit } from "../audit/record";
import { InvalidInputError } from "../errors";
import type { ServiceHandlers } from "../grpc/service";
import { namespaces as storeNamespaces } from "../storage/catalog";
import type { StoreRuntime } from "../store";
import { guarded } from "./errors";

// A page may ask about the namespaces it shows; more than this is not a page's question.
const MAX_ASKED_NAMESPACES = 100;
const SIGN_OUT_REASONS = new Set(["signed out", "idle", "expired"]);

/**
 * What the calling account may do, decided by its principal (store/auth/principal.ts), and the
 * console's sign-ins and sign-outs, recorded in the audit trail.
 */
export function createAccessService(store: StoreRuntime): ServiceHandlers<typeof AccessService> {
  async function accessOf(ctx: HandlerContext, asked: string[]) {
    if (asked.length > MAX_ASKED_NAMESPACES)
      throw new InvalidInputError(`ask about at most ${MAX_ASKED_NAMESPACES} namespaces at once, got ${asked.length}`);
    const principal = principalOf(ctx);
    const known = await storeNamespaces(store.db.lookups);
    const judged = new Map<string, ReturnType<typeof verdict>>();
    for (const ns of known) {
      const v = verdict(principal, ns);
      // What the caller cannot use at all it is not told exists.
      if (v.read || v.write || v.manageSchemas) judged.set(ns, v);
    }
    for (const ns of asked) if (ns.trim() !== "") judged.set(ns, verdict(principal, ns));
    return {
      account: principal.account,
      via: principal.via,
      namespaces: [...judged.values()].sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0)),
      // FactCast's "every namespace" spec is ns "*": what the caller may do with that.
      anyNamespace: verdict(principal, "*"),
      readAudit: principal.mayReadAudit,
      operate: principal.mayOperate,
      roles: [...principal.access.roles],
      read: patterns(principal.access.read),
      write: patterns(principal.access.write),
      schemas: patterns(principal.access.schemas),
    };
  }

  return guarded("AccessService", {
    getAccess: (req, ctx) => accessOf(ctx, req.namespaces),

    async signIn(req, ctx) {
      const access = await accessOf(ctx, req.namespaces);
      await recordAudit(store.db.lookups, ctx, { action: "console.sign-in" });
      return { access };
    },

    async signOut(req, ctx) {
      const reason = req.reason || "signed out";
      if (!SIGN_OUT_REASONS.has(reason))
        throw new InvalidInputError(`reason must be one of ${[...SIGN_OUT_REASONS].join(", ")}, got "${req.reason}"`);
      await recordAudit(store.db.lookups, ctx, { action: "console.sign-out", detail: reason });
      return {};
    },
  });
}

function verdict(principal: Principal, ns: string) {
  return {
    ns,
    read: principal.mayRead(ns),
    write: principal.mayWrite(ns),
    manageSchemas: principal.mayManageSchemas(ns),
  };
}

function patterns(rules: PatternRules) {
  return { include: [...rules.include], exclude: [...rules.exclude] };
}
