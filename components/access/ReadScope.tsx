"use client";
/**
 * Says, where the console shows "everything", that for this user everything means the namespaces
 * the store lets them read — so an operator does not take the overview or /live for the whole store.
 * Shows nothing for an account that reads every namespace; against a store that cannot tell (a
 * plain FactCast server) the overview says that the store decides per call.
 */
import { Notice } from "@/components/ui/Notice";
import { useAccess } from "@/lib/browser/access";
import { describeReadGrants, readableScope } from "@/lib/view/access";

export function ReadScope({ live = false }: { live?: boolean }) {
  const access = useAccess();
  const scope = readableScope(access.data);
  if (access.data && !access.data.known && !live) {
    // A plain FactCast server: the console cannot hide what the account may not use; say who decides.
    return (
      <p className="text-xs text-muted" data-testid="access-unknown">
        {access.data.unknownReason}
      </p>
    );
  }
  if (!scope || scope.length === 0) return null;
  const account = access.data?.access?.account ?? "";
  const grants = describeReadGrants(access.data);
  return (
    <Notice tone="info" className="py-2">
      <span data-testid="read-scope">
        {live ? "Watching" : "Showing"} the {scope.length === 1 ? "namespace" : `${scope.length} namespaces`} account “
        {account}” may read{grants ? ` (${grants})` : ""}: {scope.join(", ")}.
        {live && " Namespaces created after the watch started are not included until you watch again."}
      </span>
    </Notice>
  );
}
