/** `/subscriptions` (README "The console"): every subscription of every store instance, with its lag. */
import type { Metadata } from "next";
import { Suspense } from "react";
import { SubscriptionsView } from "@/components/subscriptions/SubscriptionsView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Subscriptions" };

export default function SubscriptionsPage() {
  // useSearchParams() in the browser needs a Suspense boundary to fall back to on the server.
  // Lag and ages are the browser's view of now: rendered once hydrated.
  return (
    <Suspense fallback={<SkeletonRows rows={12} />}>
      <AfterHydration fallback={<SkeletonRows rows={12} />}>
        <SubscriptionsView />
      </AfterHydration>
    </Suspense>
  );
}
