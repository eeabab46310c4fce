/**
 * `/facts?…`: the fact browser; the whole query lives in the URL (lib/query-params.ts). In the
 * (browser) route group so its loading.tsx does not wrap /facts/<serial>, which is rendered with its
 * data and has none (app/page.tsx says why).
 */
import type { Metadata } from "next";
import { Suspense } from "react";
import { FactBrowser } from "@/components/facts/FactBrowser";
import { FactBrowserSkeleton } from "@/components/facts/FactBrowserSkeleton";
import { AfterHydration } from "@/components/ui/AfterHydration";

export const metadata: Metadata = { title: "Facts" };

export default function FactsPage() {
  // useSearchParams() in the browser needs a Suspense boundary to fall back to on the server.
  return (
    <Suspense fallback={<FactBrowserSkeleton />}>
      <AfterHydration fallback={<FactBrowserSkeleton />}>
        <FactBrowser />
      </AfterHydration>
    </Suspense>
  );
}
