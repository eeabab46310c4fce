/** `/audit` (README "The console"): the audit log, for accounts with the audit permission. */
import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditView } from "@/components/audit/AuditView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  // useSearchParams() in the browser needs a Suspense boundary to fall back to on the server.
  return (
    <Suspense fallback={<SkeletonRows rows={12} />}>
      <AfterHydration fallback={<SkeletonRows rows={12} />}>
        <AuditView />
      </AfterHydration>
    </Suspense>
  );
}
