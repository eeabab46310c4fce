/** `/live?…`: the live stream; the subscription lives in the URL (components/live/LiveView.tsx). */
import type { Metadata } from "next";
import { Suspense } from "react";
import { LiveView } from "@/components/live/LiveView";
import { AfterHydration } from "@/components/ui/AfterHydration";
import { SkeletonRows } from "@/components/ui/Skeleton";

export const metadata: Metadata = { title: "Live" };

export default function LivePage() {
  // useSearchParams() in the browser needs a Suspense boundary to fall back to on the server.
  return (
    <Suspense fallback={<SkeletonRows rows={12} />}>
      <AfterHydration fallback={<SkeletonRows rows={12} />}>
        <LiveView />
      </AfterHydration>
    </Suspense>
  );
}
