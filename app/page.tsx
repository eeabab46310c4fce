/**
 * `/`: the overview (README "The console"). Rendered with its data (lib/backend/routes/prefetch.ts). No
 * loading.tsx: React reveals a streamed boundary no sooner than 300 ms after the skeleton painted,
 * which would hold back data the server has within milliseconds; the prefetch is bounded instead.
 */
import { HydrationBoundary } from "@tanstack/react-query";
import { Overview } from "@/components/overview/Overview";
import { prefetchOverview } from "@/lib/backend/routes/prefetch";

export default async function OverviewPage() {
  const { state } = await prefetchOverview();
  return (
    <HydrationBoundary state={state}>
      <Overview />
    </HydrationBoundary>
  );
}
